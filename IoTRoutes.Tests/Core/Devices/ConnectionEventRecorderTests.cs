using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class ConnectionEventRecorderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
    private readonly BrokerEvents _events = new(NullLogger<BrokerEvents>.Instance);
    private readonly NoDeviceConnections _connections = new();
    private SqliteContexts _db = null!;
    private ConnectionEventRecorder _recorder = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _recorder = new ConnectionEventRecorder(_db, _events, _connections, new ConnectionEventIds());
        await _recorder.StartAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _recorder.StopAsync(default);
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_connection_of_an_existing_device_is_recorded_and_left_open()
    {
        var device = await CreateDeviceAsync("Present");

        await _events.PublishAsync(Connected(device.Id, device.Key), default);

        await using var db = _db.CreateDbContext();
        Assert.Equal([true], await db.ConnectionEvents.Where(e => e.DeviceId == device.Id).Select(e => e.Connected).ToListAsync());
        Assert.Empty(_connections.Disconnected);
    }

    [Fact]
    public async Task A_device_deleted_while_it_was_connecting_is_disconnected_and_nothing_is_recorded()
    {
        var device = await CreateDeviceAsync("Going");
        Assert.True(await NewDeviceService().DeleteAsync(device.Id, default));
        _connections.Disconnected.Clear(); // the deletion's own disconnect found no connection yet

        await _events.PublishAsync(Connected(device.Id, device.Key), default);
        await _events.PublishAsync(new DeviceDisconnected(Guid.Empty, _clock.GetUtcNow(), device.Id, device.Key, "c1", null, DeviceDisconnectReasons.Deleted), default);

        Assert.Equal([device.Key], _connections.Disconnected);
        await using var db = _db.CreateDbContext();
        Assert.False(await db.ConnectionEvents.AnyAsync());
    }

    private DeviceConnected Connected(Guid deviceId, string key) => new(Guid.Empty, _clock.GetUtcNow(), deviceId, key, "c1", "127.0.0.1", "MQTT 5.0");

    private DeviceService NewDeviceService() =>
        new(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), _connections, new OrphanSweepSignal(), _db.Profiles(_db.Scoped(), _clock));

    private async Task<CreatedDeviceDto> CreateDeviceAsync(string name) => (await NewDeviceService().CreateAsync(new CreateDeviceRequest(name), default)).Device!;
}
