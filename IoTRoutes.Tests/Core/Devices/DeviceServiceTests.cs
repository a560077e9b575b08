using IoTRoutes.Core.Devices;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class DeviceServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private SqliteContexts _db = null!;
    private DeviceService _devices = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _devices = new DeviceService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), new NoDeviceConnections(), new IoTRoutes.Core.Messaging.Lifecycle.OrphanSweepSignal(), _db.Profiles(_db.Scoped(), _clock));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_created_device_can_authenticate_with_the_secret_it_was_given()
    {
        var created = (await _devices.CreateAsync(new CreateDeviceRequest("Boiler"), default)).Device!;
        var validator = new DeviceCredentialValidator(_db);

        Assert.Equal(new AuthenticatedDevice(created.Id, created.Key), await validator.ValidateAsync(created.Key, created.Secret, default));
        Assert.Null(await validator.ValidateAsync(created.Key, "wrong", default));
        Assert.Null(await validator.ValidateAsync("unknown", created.Secret, default));
        Assert.Null(await validator.ValidateAsync(created.Key, null, default));
    }

    [Fact]
    public async Task Devices_are_listed_by_name_with_their_creation_time()
    {
        await _devices.CreateAsync(new CreateDeviceRequest("Zeta"), default);
        await _devices.CreateAsync(new CreateDeviceRequest("Alpha"), default);

        var list = await _devices.ListAsync(default);

        Assert.Equal(["Alpha", "Zeta"], list.Select(d => d.Name));
        Assert.All(list, d => Assert.Equal(_clock.GetUtcNow(), d.CreatedAt));
        Assert.All(list, d => Assert.False(d.IsConnected));
    }

    [Fact]
    public async Task An_invalid_name_is_refused_and_nothing_is_stored()
    {
        var result = await _devices.CreateAsync(new CreateDeviceRequest(" "), default);

        Assert.Null(result.Device);
        Assert.Equal(["Give the device a name."], result.Errors!["name"]);
        Assert.Empty(await _devices.ListAsync(default));
    }

    [Fact]
    public async Task Connection_status_is_tracked_across_several_connections()
    {
        var created = (await _devices.CreateAsync(new CreateDeviceRequest("Twin"), default)).Device!;
        var tracker = new IoTRoutes.Core.Messaging.Brokers.DeviceConnectionTracker(new DeviceStatusService(_db, _clock));

        await tracker.ConnectedAsync(created.Id, default);
        await tracker.ConnectedAsync(created.Id, default);
        await tracker.DisconnectedAsync(created.Id, default);
        var stillOnline = await _devices.FindAsync(created.Id, default);
        await tracker.DisconnectedAsync(created.Id, default);
        var offline = await _devices.FindAsync(created.Id, default);

        Assert.True(stillOnline!.IsConnected);
        Assert.False(offline!.IsConnected);
        Assert.Equal(_clock.GetUtcNow(), offline.LastSeenAt);
    }
}
