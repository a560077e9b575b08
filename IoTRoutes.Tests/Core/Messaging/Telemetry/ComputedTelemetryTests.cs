using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Messaging.Telemetry;

/// <summary>Computed telemetry stored by the writer and read back beside the messages' fields, on a SQLite file.</summary>
public sealed class ComputedTelemetryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly MessageFeed _feed = new();
    private SqliteContexts _db = null!;
    private ComputedTelemetryWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _writer = new ComputedTelemetryWriter(_db, _feed, _clock);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Computed_fields_appear_in_the_series_beside_the_message_fields_and_in_the_latest_values()
    {
        var device = await AddDeviceAsync("Lab");
        var first = await StoreMessageAsync(device, """{"temp":20}""");
        var second = await StoreMessageAsync(device, """{"temp":30}""");
        await _writer.StoreAsync(Point(device, first.At, first.Id, ("heatIndex", 22.0)), default);
        await _writer.StoreAsync(Point(device, second.At, second.Id, ("heatIndex", 33.0), ("state", "hot")), default);

        var series = (await new TelemetrySeries(_db.Scoped()).SeriesAsync(device.Id, new SeriesQuery(), default))!;
        var latest = (await new MessageQueryService(_db.Scoped()).LatestFieldsAsync(device.Id, default))!;

        Assert.Equal(["temp", "heatIndex"], series.Select(s => s.Name)); // the text field is no series
        Assert.Equal([(first.At, 22.0), (second.At, 33.0)], series[1].Points.Select(p => (p.At, p.Value)));
        Assert.Equal([(first.At, 20.0), (second.At, 30.0)], series[0].Points.Select(p => (p.At, p.Value)));
        var heat = latest.Single(f => f.Name == "heatIndex");
        Assert.Equal((33.0, second.At, second.Id), (heat.Value!.GetValue<double>(), heat.At, heat.MessageId));
        Assert.Equal("hot", latest.Single(f => f.Name == "state").Value!.GetValue<string>());
        var csv = (await new TelemetrySeries(_db.Scoped()).CsvAsync(device.Id, new SeriesQuery(), default))!;
        Assert.Contains(",30,33\n", csv);
    }

    [Fact]
    public async Task A_window_and_a_field_list_apply_to_computed_points_too()
    {
        var device = await AddDeviceAsync("Windowed");
        var old = _clock.GetUtcNow();
        await _writer.StoreAsync(Point(device, old, null, ("dew", 5.0), ("heatIndex", 1.0)), default);
        await _writer.StoreAsync(Point(device, old.AddHours(2), null, ("dew", 6.0), ("heatIndex", 2.0)), default);

        var series = (await new TelemetrySeries(_db.Scoped()).SeriesAsync(device.Id, new SeriesQuery(["dew"], From: old.AddHours(1)), default))!;

        var dew = Assert.Single(series);
        Assert.Equal([(old.AddHours(2), 6.0)], dew.Points.Select(p => (p.At, p.Value)));
    }

    [Fact]
    public async Task Storing_again_with_the_same_effect_key_stores_once_and_answers_the_first_point()
    {
        var device = await AddDeviceAsync("Repeated");
        var point = Point(device, _clock.GetUtcNow(), null, ("heatIndex", 25.0)) with { EffectKey = $"{Guid.NewGuid():N}/save" };

        var first = await _writer.StoreAsync(point, default);
        var again = await _writer.StoreAsync(point with { Fields = [new("heatIndex", JsonValue.Create(99.0))] }, default);
        var unkeyed = await _writer.StoreAsync(point with { EffectKey = null }, default);
        var unkeyedAgain = await _writer.StoreAsync(point with { EffectKey = null }, default);

        Assert.Equal((first!.Id, false), (first.Id, first.Duplicate));
        Assert.Equal((first.Id, true), (again!.Id, again.Duplicate));
        Assert.NotEqual(unkeyed!.Id, unkeyedAgain!.Id); // without a key (test runs) nothing is deduplicated
        await using var db = _db.CreateDbContext();
        Assert.Equal(3, await db.ComputedTelemetry.CountAsync());
        Assert.Equal("25", (await db.FieldValues.SingleAsync(v => v.Name == "heatIndex")).Value);
    }

    [Fact]
    public async Task An_older_point_does_not_replace_a_newer_latest_value()
    {
        var device = await AddDeviceAsync("Late");
        var now = _clock.GetUtcNow();
        await _writer.StoreAsync(Point(device, now, null, ("heatIndex", 30.0)), default);
        await _writer.StoreAsync(Point(device, now.AddMinutes(-5), null, ("heatIndex", 10.0), ("dew", 4.0)), default);

        var latest = (await new MessageQueryService(_db.Scoped()).LatestFieldsAsync(device.Id, default))!;

        Assert.Equal([("dew", 4.0), ("heatIndex", 30.0)], latest.Select(f => (f.Name, f.Value!.GetValue<double>())));
    }

    [Fact]
    public async Task A_point_for_a_deleted_device_is_not_stored_and_deleting_a_device_deletes_its_points()
    {
        var device = await AddDeviceAsync("Short lived");
        await _writer.StoreAsync(Point(device, _clock.GetUtcNow(), null, ("heatIndex", 1.0)), default);
        await using (var db = _db.CreateDbContext())
        {
            await db.Devices.Where(d => d.Id == device.Id).ExecuteDeleteAsync();
        }

        Assert.Null(await _writer.StoreAsync(Point(device, _clock.GetUtcNow(), null, ("heatIndex", 2.0)), default));
        await using var check = _db.CreateDbContext();
        Assert.Equal(0, await check.ComputedTelemetry.IgnoreQueryFilters().CountAsync());
    }

    private static ComputedPoint Point(Device device, DateTimeOffset at, Guid? messageId, params (string Name, object Value)[] fields) =>
        new(device.Id, at, [.. fields.Select(f => new KeyValuePair<string, JsonValue>(f.Name, f.Value is string s ? JsonValue.Create(s) : JsonValue.Create((double)f.Value)))],
            Guid.NewGuid(), "save", messageId, null);

    private async Task<(Guid Id, DateTimeOffset At)> StoreMessageAsync(Device device, string payload)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var message = new Message
        {
            Id = MessageIds.Next(_clock.GetUtcNow()), DeviceId = device.Id, Topic = $"devices/{device.Key}/telemetry",
            Payload = Encoding.UTF8.GetBytes(payload), PayloadSize = Encoding.UTF8.GetByteCount(payload),
            ReceivedAt = _clock.GetUtcNow(), State = MessageState.Processed, ProcessedAt = _clock.GetUtcNow(),
        };
        await using var db = _db.CreateDbContext();
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return (message.Id, message.ReceivedAt);
    }

    private async Task<Device> AddDeviceAsync(string name)
    {
        var device = new Device
        {
            Id = Guid.CreateVersion7(), Name = name, Key = $"k{Guid.NewGuid():N}", SecretHash = "", EntityId = RootEntity.Id, CreatedAt = _clock.GetUtcNow(),
        };
        await using var db = _db.CreateDbContext();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
        return device;
    }
}
