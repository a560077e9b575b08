using System.Text.Json.Nodes;
using IoTRoutes.Core;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Devices;

/// <summary>Device attributes through the users' service and the workflows' writer, on a SQLite file.</summary>
public sealed class DeviceAttributeServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly DeviceAttributeFeed _feed = new();
    private SqliteContexts _db = null!;
    private Guid _userId;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _userId = await AddUserAsync("ops@test.local");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Texts_numbers_and_booleans_are_kept_by_key_with_who_set_them_and_when()
    {
        var device = await AddDeviceAsync("Boiler");
        var service = Service();

        Assert.Equal(ChangeOutcome.Done, (await service.SetAsync(device.Id, "room", JsonValue.Create("B12"), default)).Outcome);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ChangeOutcome.Done, (await service.SetAsync(device.Id, "floor", JsonNode.Parse("3"), default)).Outcome);
        Assert.Equal(ChangeOutcome.Done, (await service.SetAsync(device.Id, "maxTemp", JsonNode.Parse("28.5"), default)).Outcome);
        Assert.Equal(ChangeOutcome.Done, (await service.SetAsync(device.Id, "heated", JsonNode.Parse("true"), default)).Outcome);

        var list = (await service.ListAsync(device.Id, default))!;

        Assert.Equal(["floor", "heated", "maxTemp", "room"], list.Select(a => a.Key));
        Assert.Equal(["3", "true", "28.5", "\"B12\""], list.Select(a => a.Value!.ToJsonString()));
        Assert.All(list, a => Assert.Equal("ops@test.local", a.UpdatedBy));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(-1), list.Single(a => a.Key == "room").UpdatedAt);
    }

    [Fact]
    public async Task Setting_the_same_value_again_changes_nothing_and_is_audited_once_while_a_new_value_is_audited_again()
    {
        var device = await AddDeviceAsync("Pump");
        var service = Service();
        await service.SetAsync(device.Id, "floor", JsonNode.Parse("3"), default);
        var first = (await service.ListAsync(device.Id, default))!.Single();

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(ChangeOutcome.Done, (await service.SetAsync(device.Id, "floor", JsonNode.Parse("3.0"), default)).Outcome);

        var after = (await service.ListAsync(device.Id, default))!.Single();
        Assert.Equal((first.UpdatedAt, first.UpdatedBy, "3"), (after.UpdatedAt, after.UpdatedBy, after.Value!.ToJsonString()));
        Assert.Equal(["floor = 3"], await AuditDetailsAsync(AuditActions.DeviceAttributeSet));

        await service.SetAsync(device.Id, "floor", JsonNode.Parse("4"), default);

        Assert.Equal(_clock.GetUtcNow(), (await service.ListAsync(device.Id, default))!.Single().UpdatedAt);
        Assert.Equal(["floor = 3", "floor = 4"], await AuditDetailsAsync(AuditActions.DeviceAttributeSet));
    }

    [Theory]
    [InlineData("", "3", "key", "Give the attribute a key.")]
    [InlineData("max-temp", "3", "key", "letters, digits and _")]
    [InlineData("1st", "3", "key", "starts with a letter or _")]
    [InlineData("floor", "{\"a\":1}", "value", "not an object or a list")]
    [InlineData("floor", "[1,2]", "value", "not an object or a list")]
    [InlineData("floor", "null", "value", "A value is needed")]
    [InlineData("floor", "1e400", "value", "finite")]
    [InlineData("note", "\"line\\nbreak\"", "value", "control characters")]
    public async Task An_invalid_key_or_value_is_a_field_error_and_nothing_is_stored(string key, string json, string field, string message)
    {
        var device = await AddDeviceAsync("Strict");

        var result = await Service().SetAsync(device.Id, key, JsonNode.Parse(json), default);

        Assert.Equal(ChangeOutcome.Invalid, result.Outcome);
        Assert.Contains(message, Assert.Single(result.Errors![field]));
        Assert.Empty((await Service().ListAsync(device.Id, default))!);
    }

    [Fact]
    public async Task A_text_longer_than_the_limit_is_refused_and_one_at_the_limit_is_kept()
    {
        var device = await AddDeviceAsync("Verbose");

        var tooLong = await Service().SetAsync(device.Id, "note", JsonValue.Create(new string('ü', AttributeRules.MaxTextLength + 1)), default);
        var atLimit = await Service().SetAsync(device.Id, "note", JsonValue.Create(new string('"', AttributeRules.MaxTextLength)), default);

        Assert.Contains("at most 1,000 characters", tooLong.FirstError);
        Assert.Equal(ChangeOutcome.Done, atLimit.Outcome);
        Assert.Equal(new string('"', AttributeRules.MaxTextLength), (await Service().ListAsync(device.Id, default))!.Single().Value!.GetValue<string>());
    }

    [Fact]
    public async Task A_device_holds_at_most_the_limit_and_a_key_differing_only_in_case_is_a_conflict()
    {
        var device = await AddDeviceAsync("Full");
        var writer = new DeviceAttributeWriter(_db, _feed, _clock);
        await writer.SetAsync(device.Id, [.. Enumerable.Range(0, AttributeRules.MaxPerDevice).Select(i => new KeyValuePair<string, string>($"a{i}", $"{i}"))], "workflow x", default);

        var more = await Service().SetAsync(device.Id, "extra", JsonNode.Parse("1"), default);
        var changed = await Service().SetAsync(device.Id, "a7", JsonNode.Parse("70"), default);
        var clash = await Service().SetAsync(device.Id, "A7", JsonNode.Parse("1"), default);

        Assert.Equal(ChangeOutcome.Conflict, more.Outcome);
        Assert.Contains("at most 100 attributes", more.FirstError);
        Assert.Equal(ChangeOutcome.Done, changed.Outcome); // changing one it has is fine
        Assert.Equal(ChangeOutcome.Conflict, clash.Outcome);
        Assert.Contains("has an attribute a7 already", clash.FirstError);
        Assert.Equal(AttributeRules.MaxPerDevice, (await Service().ListAsync(device.Id, default))!.Count);
    }

    [Fact]
    public async Task Two_new_keys_differing_only_in_case_are_refused_together()
    {
        var device = await AddDeviceAsync("Twins");

        var written = await new DeviceAttributeWriter(_db, _feed, _clock).SetAsync(device.Id, [new("floor", "1"), new("Floor", "2")], "workflow x", default);

        Assert.Equal("floor and Floor differ only in case: keys that differ only in case are not allowed.", written!.Problem);
        Assert.Empty((await Service().ListAsync(device.Id, default))!);
    }

    [Fact]
    public async Task Deleting_removes_the_attribute_and_is_audited_and_a_missing_one_is_not_found_with_its_key()
    {
        var device = await AddDeviceAsync("Shelf");
        await Service().SetAsync(device.Id, "room", JsonValue.Create("B12"), default);

        var deleted = await Service().DeleteAsync(device.Id, "room", default);
        var again = await Service().DeleteAsync(device.Id, "room", default);
        var noDevice = await Service().DeleteAsync(Guid.NewGuid(), "room", default);

        Assert.Equal(ChangeOutcome.Done, deleted.Outcome);
        Assert.Equal((ChangeOutcome.NotFound, "The device has no attribute room."), (again.Outcome, again.FirstError));
        Assert.Equal((ChangeOutcome.NotFound, null), (noDevice.Outcome, noDevice.FirstError));
        Assert.Empty((await Service().ListAsync(device.Id, default))!);
        Assert.Equal(["room"], await AuditDetailsAsync(AuditActions.DeviceAttributeDeleted));
    }

    [Fact]
    public async Task A_device_outside_the_callers_entity_looks_missing_and_view_only_callers_cannot_change_anything()
    {
        var device = await AddDeviceAsync("Elsewhere", await AddEntityAsync("Org B"));
        var orgA = await AddEntityScopeAsync("Org A");
        var outside = Service(new FixedCaller(orgA));
        var viewer = Service(new FixedCaller(FixedCaller.Root, Only(AccessLevel.View)));
        await Service().SetAsync(device.Id, "floor", JsonNode.Parse("2"), default);

        Assert.Null(await outside.ListAsync(device.Id, default));
        Assert.Equal(ChangeOutcome.NotFound, (await outside.SetAsync(device.Id, "floor", JsonNode.Parse("9"), default)).Outcome);
        Assert.Equal(ChangeOutcome.NotFound, (await outside.DeleteAsync(device.Id, "floor", default)).Outcome);
        Assert.Single((await viewer.ListAsync(device.Id, default))!);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => viewer.SetAsync(device.Id, "floor", JsonNode.Parse("9"), default));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => viewer.DeleteAsync(device.Id, "floor", default));
        Assert.Equal("2", (await Service().ListAsync(device.Id, default))!.Single().Value!.ToJsonString());
    }

    [Fact]
    public async Task Deleting_the_device_deletes_its_attributes()
    {
        var device = await AddDeviceAsync("Gone soon");
        await Service().SetAsync(device.Id, "floor", JsonNode.Parse("1"), default);

        await using (var db = _db.CreateDbContext())
        {
            await db.Devices.Where(d => d.Id == device.Id).ExecuteDeleteAsync();
        }

        await using var check = _db.CreateDbContext();
        Assert.Equal(0, await check.DeviceAttributes.IgnoreQueryFilters().CountAsync());
    }

    [Fact]
    public async Task The_workflow_writer_names_the_workflow_writes_only_changes_and_announces_them()
    {
        var device = await AddDeviceAsync("Sensor");
        var writer = new DeviceAttributeWriter(_db, _feed, _clock);
        var announced = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = _feed.Subscribe(id => { announced.TrySetResult(id); return Task.CompletedTask; });

        var first = await writer.SetAsync(device.Id, [new("lastTemp", "21.5"), new("state", "\"ok\"")], "workflow 42", default);
        var second = await writer.SetAsync(device.Id, [new("lastTemp", "21.5"), new("state", "\"hot\"")], "workflow 42", default);
        var gone = await writer.SetAsync(Guid.NewGuid(), [new("lastTemp", "1")], "workflow 42", default);

        Assert.Equal(["lastTemp", "state"], first!.Changed);
        Assert.Equal(["state"], second!.Changed);
        Assert.Null(gone);
        Assert.Equal(device.Id, await announced.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.All((await Service().ListAsync(device.Id, default))!, a => Assert.Equal("workflow 42", a.UpdatedBy));
    }

    [Fact]
    public async Task The_reader_gives_each_devices_attributes_as_workflows_compute_in_one_query()
    {
        var one = await AddDeviceAsync("One");
        var two = await AddDeviceAsync("Two");
        var none = await AddDeviceAsync("None");
        await Service().SetAsync(one.Id, "floor", JsonNode.Parse("3"), default);
        await Service().SetAsync(one.Id, "room", JsonValue.Create("B12"), default);
        await Service().SetAsync(two.Id, "heated", JsonNode.Parse("false"), default);

        await using var db = _db.CreateDbContext();
        var read = await DeviceAttributeReader.ReadAsync(db, [one.Id, two.Id, none.Id], default);

        Assert.Equal(3.0, read[one.Id]["floor"]);
        Assert.Equal("B12", read[one.Id]["room"]);
        Assert.Equal(false, read[two.Id]["heated"]);
        Assert.False(read.ContainsKey(none.Id));
    }

    [Theory]
    [InlineData("3", "3")]
    [InlineData("true", "true")]
    [InlineData("B12", "\"B12\"")]
    [InlineData("\"3\"", "\"3\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("{\"a\":1}", "{\"a\":1}")]
    public void A_typed_value_reads_as_json_when_it_is_and_as_text_otherwise_and_formats_back_the_same(string typed, string json)
    {
        var value = AttributeText.Parse(typed);

        Assert.Equal(json, value!.ToJsonString());
        Assert.Equal(typed, AttributeText.Format(value));
        Assert.Null(AttributeText.Parse("  "));
    }

    private DeviceAttributeService Service(ICallerProvider? caller = null) =>
        new(new ScopedContexts(_db, caller ?? new UserCaller(_userId)), _clock, new AuditTrail(_db, _clock), _feed);

    private async Task<List<string?>> AuditDetailsAsync(string action)
    {
        await using var db = _db.CreateDbContext();
        return await db.AuditEntries.Where(e => e.Action == action).OrderBy(e => e.Id).Select(e => e.Details).ToListAsync();
    }

    private static EffectivePermissions Only(AccessLevel devices) =>
        new(new Dictionary<SecuredObject, AccessLevel> { [SecuredObject.Devices] = devices }, new HashSet<string>());

    private async Task<Guid> AddEntityAsync(string name) =>
        (await new EntityService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock)).CreateAsync(new CreateEntityRequest(name, EntityType.Organisation), default)).Id!.Value;

    private async Task<EntityScope> AddEntityScopeAsync(string name)
    {
        var id = await AddEntityAsync(name);
        await using var db = _db.CreateDbContext();
        return new EntityScope(id, db.Entities.Single(e => e.Id == id).Path);
    }

    private async Task<Device> AddDeviceAsync(string name, Guid? entityId = null)
    {
        var device = new Device
        {
            Id = Guid.CreateVersion7(), Name = name, Key = $"k{Guid.NewGuid():N}", SecretHash = "", EntityId = entityId ?? RootEntity.Id, CreatedAt = _clock.GetUtcNow(),
        };
        await using var db = _db.CreateDbContext();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
        return device;
    }

    private async Task<Guid> AddUserAsync(string email)
    {
        var user = new User { Id = Guid.CreateVersion7(), Email = email, NormalizedEmail = email.ToUpperInvariant(), PasswordHash = "", EntityId = RootEntity.Id };
        await using var db = _db.CreateDbContext();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private sealed class UserCaller(Guid userId) : ICallerProvider
    {
        public ValueTask<Caller> GetCallerAsync(CancellationToken ct) => ValueTask.FromResult(new Caller(userId, FixedCaller.Root, FixedCaller.Everything));
    }
}
