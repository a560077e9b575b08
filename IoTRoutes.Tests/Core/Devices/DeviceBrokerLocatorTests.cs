using IoTRoutes.Core;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class DeviceBrokerLocatorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private SqliteContexts _db = null!;

    public async Task InitializeAsync() => _db = await SqliteContexts.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_device_connects_to_the_broker_of_the_nearest_entity_above_it_that_has_an_enabled_one()
    {
        var org = await AddEntityAsync("Org", RootEntity.Path);
        var customer = await AddEntityAsync("Customer", org.Path);
        var device = await AddDeviceAsync(customer.Id);
        await AddBrokerAsync("platform", RootEntity.Id, 1883, 8883, enabled: true);
        await AddBrokerAsync("org", org.Id, 2883, null, enabled: true);
        await AddBrokerAsync("customer (off)", customer.Id, 3883, 9883, enabled: false);

        var address = await Locator(publicHost: null).FindAsync(device, default);

        Assert.Equal(new DeviceBrokerAddress(address!.BrokerId, "org", null, 2883, null, DeviceAuthentication.Secret), address);
    }

    [Fact]
    public async Task Without_a_broker_above_it_the_oldest_enabled_broker_is_used_with_the_configured_public_host()
    {
        var elsewhere = await AddEntityAsync("Elsewhere", RootEntity.Path);
        var other = await AddEntityAsync("Other", RootEntity.Path);
        var device = await AddDeviceAsync(elsewhere.Id);
        await AddBrokerAsync("first", other.Id, 1883, 8883, enabled: true);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await AddBrokerAsync("second", other.Id, 2883, 8884, enabled: true);

        var address = await Locator(publicHost: " iot.example.com ").FindAsync(device, default);

        Assert.Equal(("first", "iot.example.com", 1883, (int?)8883), (address!.BrokerName, address.PublicHost, address.Port, address.TlsPort));
    }

    [Fact]
    public async Task No_enabled_broker_and_an_unknown_device_give_no_address()
    {
        var device = await AddDeviceAsync(RootEntity.Id);
        await AddBrokerAsync("off", RootEntity.Id, 1883, null, enabled: false);

        Assert.Null(await Locator(null).FindAsync(device, default));
        Assert.Null(await Locator(null).FindAsync(Guid.NewGuid(), default));
    }

    private DeviceBrokerLocator Locator(string? publicHost) =>
        new(_db.Scoped(), _db, Options.Create(new IoTRoutesOptions { PublicHost = publicHost }));

    private async Task<Entity> AddEntityAsync(string name, string parentPath)
    {
        var id = Guid.NewGuid();
        var parentId = await ParentIdAsync(parentPath);
        var entity = new Entity { Id = id, Name = name, Type = EntityType.Organisation, ParentId = parentId, Path = Entity.PathOf(parentPath, id), CreatedAt = _clock.GetUtcNow() };
        await using var db = _db.CreateDbContext();
        db.Entities.Add(entity);
        await db.SaveChangesAsync();
        return entity;
    }

    private async Task<Guid> ParentIdAsync(string path)
    {
        await using var db = _db.CreateDbContext();
        return await db.Entities.Where(e => e.Path == path).Select(e => e.Id).SingleAsync();
    }

    private async Task<Guid> AddDeviceAsync(Guid entityId)
    {
        var devices = new DeviceService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), new NoDeviceConnections(),
            new IoTRoutes.Core.Messaging.Lifecycle.OrphanSweepSignal(), _db.Profiles(_db.Scoped(), _clock));
        var id = (await devices.CreateAsync(new CreateDeviceRequest("Sensor"), default)).Device!.Id;
        await using var db = _db.CreateDbContext();
        await db.Devices.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.EntityId, entityId));
        return id;
    }

    private async Task AddBrokerAsync(string name, Guid entityId, int port, int? tlsPort, bool enabled)
    {
        await using var db = _db.CreateDbContext();
        db.Brokers.Add(new BrokerDefinition { Id = Guid.CreateVersion7(), Name = name, EntityId = entityId, Port = port, TlsPort = tlsPort, Enabled = enabled, CreatedAt = _clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }
}
