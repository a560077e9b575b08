using System.Text.Json.Nodes;
using IoTRoutes.Core;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Workflows.Alerts;

/// <summary>Raising, de-duplication, acknowledging and clearing alerts, scope and permissions, on a real SQLite file.</summary>
public sealed class AlertServiceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly AlertFeed _feed = new();
    private readonly AlertEvents _events = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<AlertEvents>.Instance);
    private SqliteContexts _db = null!;
    private AlertRaiser _raiser = null!;

    public async Task InitializeAsync()
    {
        _db = await SqliteContexts.CreateAsync();
        _raiser = new AlertRaiser(_db, _feed, _events, _clock);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Raising_twice_keeps_one_alert_with_count_2_and_the_last_severity_message_value_and_time()
    {
        var device = await AddDeviceAsync("Boiler");
        var first = await _raiser.RaiseAsync(Raise(device, AlertSeverity.Minor, "31 °C", 31), default);
        _clock.Advance(TimeSpan.FromMinutes(5));
        var second = await _raiser.RaiseAsync(Raise(device, AlertSeverity.Critical, "45 °C", 45), default);

        Assert.Equal((true, false, 2), (first!.Opened, second!.Opened, second.Count));
        Assert.Equal(first.AlertId, second.AlertId);
        var alert = Assert.Single((await Service().ListAsync(new AlertQuery(), default)).Items);
        Assert.Equal((2, AlertSeverity.Critical, "45 °C", 45.0, AlertState.Active),
            (alert.Count, alert.Severity, alert.Message, alert.LastValue!.GetValue<double>(), alert.State));
        Assert.Equal((_clock.GetUtcNow().AddMinutes(-5), _clock.GetUtcNow()), (alert.FirstRaisedAt, alert.LastRaisedAt));
    }

    [Fact]
    public async Task Another_type_or_another_device_opens_its_own_alert()
    {
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");

        await _raiser.RaiseAsync(Raise(a), default);
        await _raiser.RaiseAsync(Raise(a) with { Type = "LowBattery" }, default);
        await _raiser.RaiseAsync(Raise(b), default);

        Assert.Equal(3, (await Service().ListAsync(new AlertQuery(), default)).Items.Count);
    }

    [Fact]
    public async Task After_a_clear_the_next_raise_opens_a_new_alert_and_the_cleared_one_stays_as_it_was()
    {
        var device = await AddDeviceAsync("Freezer");
        var first = await _raiser.RaiseAsync(Raise(device), default);
        await _raiser.RaiseAsync(Raise(device), default);

        Assert.Equal(1, await _raiser.ClearByTypeAsync(device.Id, "HighTemperature", default));
        Assert.Equal(0, await _raiser.ClearByTypeAsync(device.Id, "HighTemperature", default));
        var again = await _raiser.RaiseAsync(Raise(device), default);

        Assert.True(again!.Opened);
        Assert.NotEqual(first!.AlertId, again.AlertId);
        var cleared = (await Service().FindAsync(first.AlertId, default))!;
        Assert.Equal((AlertState.Cleared, 2, "workflow"), (cleared.State, cleared.Count, cleared.ClearedBy));
        Assert.Equal([again.AlertId], (await Service().ListAsync(new AlertQuery(States: AlertQuery.Open), default)).Items.Select(a => a.Id));
    }

    [Fact]
    public async Task Concurrent_raises_leave_one_open_alert_counting_every_raise()
    {
        var device = await AddDeviceAsync("Busy");
        const int raises = 8;
        var racing = new AlertRaiser(new RaceBarrier(raises).Around(_db), _feed, _events, _clock);

        var results = await Task.WhenAll(Enumerable.Range(0, raises).Select(i => Task.Run(() => racing.RaiseAsync(Raise(device, value: i), default))));

        Assert.Single(results, r => r!.Opened);
        Assert.Single(results.Select(r => r!.AlertId).Distinct());
        await using var db = _db.CreateDbContext();
        var alert = await db.Alerts.SingleAsync();
        Assert.Equal(raises, alert.Count);
    }

    [Fact]
    public async Task The_database_refuses_a_second_open_alert_of_the_same_device_and_type()
    {
        var device = await AddDeviceAsync("Guarded");
        await _raiser.RaiseAsync(Raise(device), default);
        await using var db = _db.CreateDbContext();
        db.Alerts.Add(new Alert
        {
            Id = Guid.CreateVersion7(), DeviceId = device.Id, EntityId = device.EntityId, Type = "HighTemperature", Message = "dup",
            State = AlertState.Acknowledged, Count = 1,
        });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task Acknowledge_then_clear_record_who_and_when_in_the_alert_and_the_audit_log()
    {
        var device = await AddDeviceAsync("Pump");
        var raised = (await _raiser.RaiseAsync(Raise(device), default))!;
        var userId = await AddUserAsync("oncall@test.local");
        var service = Service(new UserCaller(userId));
        var changes = new List<AlertsChanged>();
        using var _ = _feed.Subscribe(c => { lock (changes) changes.Add(c); return Task.CompletedTask; });

        Assert.Equal(ChangeOutcome.Done, (await service.AcknowledgeAsync(raised.AlertId, default)).Outcome);
        var again = await service.AcknowledgeAsync(raised.AlertId, default);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ChangeOutcome.Done, (await service.ClearAsync(raised.AlertId, default)).Outcome);
        var twice = await service.ClearAsync(raised.AlertId, default);

        Assert.Equal((ChangeOutcome.Conflict, ChangeOutcome.Conflict), (again.Outcome, twice.Outcome));
        Assert.Contains("already cleared", twice.FirstError);
        var alert = (await service.FindAsync(raised.AlertId, default))!;
        Assert.Equal((AlertState.Cleared, "oncall@test.local", "oncall@test.local"), (alert.State, alert.AcknowledgedBy, alert.ClearedBy));
        Assert.Equal((_clock.GetUtcNow().AddMinutes(-1), _clock.GetUtcNow()), (alert.AcknowledgedAt!.Value, alert.ClearedAt!.Value));
        await using var db = _db.CreateDbContext();
        var audit = await db.AuditEntries.Where(e => e.Action.StartsWith("Alert.")).OrderBy(e => e.At).ToListAsync();
        Assert.Equal([(AuditActions.AlertAcknowledged, "oncall@test.local"), (AuditActions.AlertCleared, "oncall@test.local")], audit.Select(e => (e.Action, e.UserEmail)));
        Assert.All(audit, e => Assert.Equal("HighTemperature on Pump", e.Target));
        await Eventually.GetAsync(() => Task.FromResult(Count(changes) >= 2 ? changes : null), "two change notifications");
        Assert.All(changes, c => Assert.Equal([device.Id], c.DeviceIds));
    }

    [Fact]
    public async Task Without_Alerts_Manage_a_user_can_read_but_neither_acknowledge_nor_clear()
    {
        var device = await AddDeviceAsync("Readonly");
        var raised = (await _raiser.RaiseAsync(Raise(device), default))!;
        var viewer = Service(new FixedCaller(FixedCaller.Root, Only(AccessLevel.View)));

        Assert.NotNull(await viewer.FindAsync(raised.AlertId, default));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => viewer.AcknowledgeAsync(raised.AlertId, default));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => viewer.ClearAsync(raised.AlertId, default));
        await Assert.ThrowsAsync<PermissionDeniedException>(() => Service(new FixedCaller(FixedCaller.Root, Only(AccessLevel.None))).ListAsync(new AlertQuery(), default));
        Assert.Equal(AlertState.Active, (await Service().FindAsync(raised.AlertId, default))!.State);
    }

    [Fact]
    public async Task A_user_of_another_entity_neither_sees_nor_changes_the_alert()
    {
        var branch = await AddEntityAsync("Branch");
        var mine = await AddDeviceAsync("Mine", branch.EntityId);
        var theirs = await AddDeviceAsync("Theirs");
        var ofMine = (await _raiser.RaiseAsync(Raise(mine), default))!;
        var ofTheirs = (await _raiser.RaiseAsync(Raise(theirs), default))!;
        var branchUser = Service(new FixedCaller(branch));

        Assert.Equal([ofMine.AlertId], (await branchUser.ListAsync(new AlertQuery(), default)).Items.Select(a => a.Id));
        Assert.Null(await branchUser.FindAsync(ofTheirs.AlertId, default));
        Assert.Equal(ChangeOutcome.NotFound, (await branchUser.ClearAsync(ofTheirs.AlertId, default)).Outcome);
        Assert.Equal(["Mine"], (await branchUser.FacetsAsync(default)).Devices.Select(d => d.Name));
        Assert.Equal(2, (await Service().ListAsync(new AlertQuery(), default)).Items.Count);
    }

    [Fact]
    public async Task Filters_narrow_by_state_severity_device_type_and_time_and_pages_follow_the_cursor()
    {
        var a = await AddDeviceAsync("A");
        var b = await AddDeviceAsync("B");
        var hot = (await _raiser.RaiseAsync(Raise(a, AlertSeverity.Critical), default))!;
        _clock.Advance(TimeSpan.FromMinutes(1));
        var battery = (await _raiser.RaiseAsync(Raise(a, AlertSeverity.Warning) with { Type = "LowBattery" }, default))!;
        _clock.Advance(TimeSpan.FromMinutes(1));
        var ofB = (await _raiser.RaiseAsync(Raise(b, AlertSeverity.Critical), default))!;
        await Service().AcknowledgeAsync(ofB.AlertId, default);

        Assert.Equal([ofB.AlertId], await IdsAsync(new AlertQuery(States: [AlertState.Acknowledged])));
        Assert.Equal([ofB.AlertId, hot.AlertId], await IdsAsync(new AlertQuery(Severities: [AlertSeverity.Critical])));
        Assert.Equal([battery.AlertId, hot.AlertId], await IdsAsync(new AlertQuery(DeviceId: a.Id)));
        Assert.Equal([battery.AlertId], await IdsAsync(new AlertQuery(Type: "LowBattery")));
        Assert.Equal([ofB.AlertId, battery.AlertId], await IdsAsync(new AlertQuery(From: _clock.GetUtcNow().AddMinutes(-1))));
        Assert.NotNull(new AlertQuery(Limit: 0).Validate());

        var paged = new List<Guid>();
        Guid? cursor = null;
        do
        {
            var page = await Service().ListAsync(new AlertQuery(Cursor: cursor, Limit: 2), default);
            paged.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal([ofB.AlertId, battery.AlertId, hot.AlertId], paged);
    }

    [Fact]
    public async Task A_run_repeated_after_a_crash_raises_nothing_again_for_the_events_its_node_already_raised_for()
    {
        var device = await AddDeviceAsync("Freezer");
        var ids = new IoTRoutes.Core.Messaging.MessageIdGenerator(); // increasing, as stored events' ids are
        var (workflow, e1, e2, e3) = (Guid.NewGuid(), ids.Next(_clock.GetUtcNow()), ids.Next(_clock.GetUtcNow()), ids.Next(_clock.GetUtcNow()));
        AlertRaise For(Guid e, string node = "alert") => Raise(device) with { WorkflowId = workflow, NodeId = node, EventId = e };

        await _raiser.RaiseAsync(For(e1), default);
        await _raiser.RaiseAsync(For(e2), default);
        var repeatedFirst = await _raiser.RaiseAsync(For(e1), default); // the batch runs again from e1
        var repeatedSecond = await _raiser.RaiseAsync(For(e2), default);
        var otherNode = await _raiser.RaiseAsync(For(e2, node: "other"), default);
        var next = await _raiser.RaiseAsync(For(e3), default);

        Assert.Equal((2, 2, 3, 4), (repeatedFirst!.Count, repeatedSecond!.Count, otherNode!.Count, next!.Count));
        Assert.Single((await Service().ListAsync(new AlertQuery(), default)).Items);
    }

    [Fact]
    public async Task A_repeated_raise_does_not_reopen_an_alert_cleared_after_it()
    {
        var device = await AddDeviceAsync("Pump");
        var (workflow, e1) = (Guid.NewGuid(), Guid.CreateVersion7());
        var raise = Raise(device) with { WorkflowId = workflow, EventId = e1 };
        await _raiser.RaiseAsync(raise, default);
        await _raiser.ClearByTypeAsync(device.Id, raise.Type, default);

        var repeated = await _raiser.RaiseAsync(raise, default);

        Assert.False(repeated!.Opened);
        var alert = Assert.Single((await Service().ListAsync(new AlertQuery(States: [AlertState.Active, AlertState.Acknowledged, AlertState.Cleared]), default)).Items);
        Assert.Equal(AlertState.Cleared, alert.State);
    }

    [Fact]
    public async Task A_raise_for_a_device_that_no_longer_exists_answers_null_and_stores_nothing()
    {
        Assert.Null(await _raiser.RaiseAsync(new AlertRaise(Guid.NewGuid(), "HighTemperature", AlertSeverity.Major, "gone"), default));
        await using var db = _db.CreateDbContext();
        Assert.Equal(0, await db.Alerts.CountAsync());
    }

    private static AlertRaise Raise(Device device, AlertSeverity severity = AlertSeverity.Major, string message = "too hot", double? value = null) =>
        new(device.Id, "HighTemperature", severity, message, value is { } v ? JsonValue.Create(v) : null, Guid.NewGuid(), "alert");

    private AlertService Service(ICallerProvider? caller = null) =>
        new(new ScopedContexts(_db, caller ?? new FixedCaller()), new AuditTrail(_db, _clock), _feed, _events, _clock);

    private async Task<List<Guid>> IdsAsync(AlertQuery query) => [.. (await Service().ListAsync(query, default)).Items.Select(a => a.Id)];

    private static int Count(List<AlertsChanged> changes)
    {
        lock (changes) return changes.Count;
    }

    private static EffectivePermissions Only(AccessLevel alerts) =>
        new(new Dictionary<SecuredObject, AccessLevel> { [SecuredObject.Alerts] = alerts }, new HashSet<string>());

    private async Task<EntityScope> AddEntityAsync(string name)
    {
        var created = await new EntityService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock)).CreateAsync(new CreateEntityRequest(name, EntityType.Organisation), default);
        await using var db = _db.CreateDbContext();
        return new EntityScope(created.Id!.Value, db.Entities.Single(e => e.Id == created.Id).Path);
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

    /// <summary>A signed-in user of the root entity with every permission.</summary>
    private sealed class UserCaller(Guid userId) : ICallerProvider
    {
        public ValueTask<Caller> GetCallerAsync(CancellationToken ct) => ValueTask.FromResult(new Caller(userId, FixedCaller.Root, FixedCaller.Everything));
    }
}
