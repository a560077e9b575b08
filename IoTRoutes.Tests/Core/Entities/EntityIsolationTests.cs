using IoTRoutes.Core;
using System.Text;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Entities;

/// <summary>
/// Root > Org A > (Client X, Client Y). Each caller sees its entity and below, and nothing else, through the
/// same Core services the pages and the API call.
/// </summary>
public sealed class EntityIsolationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private SqliteContexts _db = null!;
    private EntityScope _orgA = null!, _clientX = null!, _clientY = null!;
    private CreatedDeviceDto _deviceOfA = null!, _deviceOfX = null!, _deviceOfY = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        var root = new EntityService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock));
        _orgA = await ScopeOfAsync((await root.CreateAsync(new CreateEntityRequest("Org A", EntityType.Organisation), default)).Id!.Value);
        var inA = new EntityService(_db.Scoped(_orgA), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock));
        _clientX = await ScopeOfAsync((await inA.CreateAsync(new CreateEntityRequest("Client X", EntityType.Customer), default)).Id!.Value);
        _clientY = await ScopeOfAsync((await inA.CreateAsync(new CreateEntityRequest("Client Y", EntityType.Customer), default)).Id!.Value);

        _deviceOfA = await CreateDeviceAsync(_orgA, "A's gateway");
        _deviceOfX = await CreateDeviceAsync(_clientX, "X's sensor");
        _deviceOfY = await CreateDeviceAsync(_clientY, "Y's sensor");
        await StoreMessageAsync(_deviceOfX, """{"x":1}""");
        await StoreMessageAsync(_deviceOfY, """{"y":1}""");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_client_lists_only_its_own_devices()
    {
        Assert.Equal(["X's sensor"], (await Devices(_clientX).ListAsync(default)).Select(d => d.Name));
        Assert.Equal(["Y's sensor"], (await Devices(_clientY).ListAsync(default)).Select(d => d.Name));
    }

    [Fact]
    public async Task A_parent_sees_its_children_and_a_child_does_not_see_its_parent()
    {
        Assert.Equal(["A's gateway", "X's sensor", "Y's sensor"], (await Devices(_orgA).ListAsync(default)).Select(d => d.Name));
        Assert.Null(await Devices(_clientX).FindAsync(_deviceOfA.Id, default));
    }

    [Fact]
    public async Task A_sibling_device_by_id_looks_exactly_like_a_missing_one()
    {
        Assert.Null(await Devices(_clientX).FindAsync(_deviceOfY.Id, default));
        Assert.Null(await Devices(_clientX).FindAsync(Guid.NewGuid(), default));
        Assert.NotNull(await Devices(_clientY).FindAsync(_deviceOfY.Id, default));
    }

    [Fact]
    public async Task Messages_and_counts_stay_within_the_callers_entity()
    {
        var ofX = await Messages(_clientX).ListAsync(new MessageQuery(), default);
        var ofYAsX = await Messages(_clientX).ListAsync(new MessageQuery(DeviceId: _deviceOfY.Id), default);

        Assert.Equal(["""{"x":1}"""], ofX.Select(m => m.Payload));
        Assert.Empty(ofYAsX);
        Assert.Equal(new MessageStatsDto(1, 1, 0), await Messages(_clientX).StatsAsync(default));
        Assert.Equal(new MessageStatsDto(2, 2, 0), await Messages(_orgA).StatsAsync(default));
        Assert.Null(await new IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries(_db.Scoped(_clientX)).SeriesAsync(_deviceOfY.Id, new(), default));
        Assert.NotNull(await new IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries(_db.Scoped(_clientY)).SeriesAsync(_deviceOfY.Id, new(), default));
    }

    [Fact]
    public async Task Writes_outside_the_callers_entity_are_refused_as_if_it_did_not_exist()
    {
        var device = await Devices(_clientX).CreateAsync(new CreateDeviceRequest("Planted", _clientY.EntityId), default);
        var entity = await Entities(_clientX).CreateAsync(new CreateEntityRequest("Planted", EntityType.Person, _clientY.EntityId), default);
        var deleted = await Devices(_clientX).DeleteAsync(_deviceOfY.Id, default);

        Assert.Equal([$"There is no entity {_clientY.EntityId}."], device.Errors!["entityId"]);
        Assert.Equal([$"There is no entity {_clientY.EntityId}."], entity.Errors!["parentId"]);
        Assert.False(deleted);
        Assert.NotNull(await Devices(_clientY).FindAsync(_deviceOfY.Id, default));
    }

    [Fact]
    public async Task A_device_is_created_in_the_callers_entity_by_default()
    {
        var created = (await Devices(_clientX).CreateAsync(new CreateDeviceRequest("Default place"), default)).Device!;
        Assert.Equal(_clientX.EntityId, (await Devices(_orgA).FindAsync(created.Id, default))!.EntityId);
    }

    [Fact]
    public async Task The_entity_tree_shows_only_the_callers_branch()
    {
        Assert.Equal(["Client X"], (await Entities(_clientX).ListAsync(default)).Select(e => e.Name));
        Assert.Equal(["Org A", "Client X", "Client Y"], (await Entities(_orgA).ListAsync(default)).Select(e => e.Name));
        Assert.Null(await Entities(_clientX).FindAsync(_clientY.EntityId, default));
    }

    [Fact]
    public async Task Moving_an_entity_moves_what_it_owns_out_of_the_old_parents_sight()
    {
        var orgB = (await Entities(FixedCaller.Root).CreateAsync(new CreateEntityRequest("Org B", EntityType.Organisation), default)).Id!.Value;

        var moved = await Entities(FixedCaller.Root).MoveAsync(_clientX.EntityId, orgB, default);

        Assert.Equal(ChangeOutcome.Done, moved.Outcome);
        Assert.DoesNotContain("X's sensor", (await Devices(_orgA).ListAsync(default)).Select(d => d.Name));
        Assert.Contains("X's sensor", (await Devices(await ScopeOfAsync(orgB)).ListAsync(default)).Select(d => d.Name));
        Assert.Equal(2, (await Entities(FixedCaller.Root).FindAsync(_clientX.EntityId, default))!.Depth); // root 0, Org B 1
    }

    [Fact]
    public async Task An_entity_cannot_move_below_itself_and_a_caller_cannot_move_its_own_entity()
    {
        var intoChild = await Entities(FixedCaller.Root).MoveAsync(_orgA.EntityId, _clientX.EntityId, default);
        var own = await Entities(_orgA).MoveAsync(_orgA.EntityId, _clientX.EntityId, default);

        Assert.Equal(["An entity cannot be moved below itself."], intoChild.Errors!["parentId"]);
        Assert.Equal(ChangeOutcome.Invalid, own.Outcome);
    }

    [Fact]
    public async Task Deleting_an_entity_with_something_attached_is_refused_with_what_is_attached()
    {
        var refused = await Entities(_orgA).DeleteAsync(_clientX.EntityId, default);
        Assert.Equal(["Client X still has 1 devices: move or delete them first."], refused.Errors!["id"]);

        await Devices(_clientX).DeleteAsync(_deviceOfX.Id, default);
        Assert.Equal(ChangeOutcome.Done, (await Entities(_orgA).DeleteAsync(_clientX.EntityId, default)).Outcome);
        Assert.Null(await Entities(_orgA).FindAsync(_clientX.EntityId, default));
    }

    [Theory]
    [InlineData("", EntityType.Customer, "name")]
    [InlineData("Fine", EntityType.Platform, "type")]
    [InlineData("Fine", null, "type")]
    public async Task Invalid_entities_are_refused_with_the_field_at_fault(string name, EntityType? type, string field)
    {
        var result = await Entities(_orgA).CreateAsync(new CreateEntityRequest(name, type), default);
        Assert.Contains(field, result.Errors!.Keys);
    }

    private DeviceService Devices(EntityScope scope) => new(_db.Scoped(scope), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), new NoDeviceConnections(), new IoTRoutes.Core.Messaging.Lifecycle.OrphanSweepSignal(), _db.Profiles(_db.Scoped(scope), _clock));

    private MessageQueryService Messages(EntityScope scope) => new(_db.Scoped(scope));

    private EntityService Entities(EntityScope scope) => new(_db.Scoped(scope), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock));

    private async Task<EntityScope> ScopeOfAsync(Guid entityId)
    {
        await using var db = _db.CreateDbContext();
        return new EntityScope(entityId, db.Entities.Single(e => e.Id == entityId).Path);
    }

    private async Task<CreatedDeviceDto> CreateDeviceAsync(EntityScope scope, string name) =>
        (await Devices(scope).CreateAsync(new CreateDeviceRequest(name), default)).Device!;

    private async Task StoreMessageAsync(CreatedDeviceDto device, string payload)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        await using var db = _db.CreateDbContext();
        db.Messages.Add(new Message
        {
            Id = Guid.CreateVersion7(), DeviceId = device.Id, Topic = $"devices/{device.Key}/telemetry",
            Payload = Encoding.UTF8.GetBytes(payload), PayloadSize = payload.Length, ReceivedAt = _clock.GetUtcNow(),
            State = MessageState.Processed, ProcessedAt = _clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }
}
