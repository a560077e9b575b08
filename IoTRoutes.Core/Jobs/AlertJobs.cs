using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Runner;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace IoTRoutes.Core.Jobs;

/// <summary>
/// Queues a run of each active OnAlert job an alert's event matches (its events, types, severities and devices, within
/// the job's part of the entity tree). The run's fields are the alert's; its device is the alert's device.
/// </summary>
internal sealed class AlertJobs(IDbContextFactory<AppDbContext> contexts, AlertEvents events, WorkflowRunner workflows, JobRunner runner, TimeProvider clock)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Subscribe(QueueAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task QueueAsync(AlertEvent e, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var device = await db.Devices.IgnoreQueryFilters().Where(d => d.Id == e.DeviceId)
            .Select(d => new { d.Id, d.EntityId, d.ProfileId, d.Entity!.Path }).SingleOrDefaultAsync(ct);
        if (device is null) return;
        var active = await db.Workflows.IgnoreQueryFilters().Where(w => w.Enabled && w.ActiveVersion != null)
            .Select(w => new { w.Id, Version = w.ActiveVersion!.Value, w.Entity!.Path }).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var seen = new TriggerEvent(TriggerKind.Alert, device.Id, device.EntityId, device.ProfileId);
        bool Within(Guid entity, Guid ancestor) => RunDevice.IsWithin(device.EntityId, device.Path, entity, ancestor);
        var queued = new List<Guid>();
        foreach (var workflow in active)
        {
            if (!device.Path.StartsWith(workflow.Path, StringComparison.Ordinal)) continue;
            if ((await workflows.CompiledAsync(workflow.Id, workflow.Version, ct))?.Trigger is not OnAlertTrigger.Runner trigger || !trigger.Matches(e, seen, Within)) continue;
            db.WorkflowRuns.Add(new WorkflowRunRecord
            {
                Id = Guid.CreateVersion7(now), WorkflowId = workflow.Id, Version = workflow.Version, Trigger = "OnAlert", Status = JobRunStatus.Queued,
                DeviceId = e.DeviceId, QueuedAt = now, StartedAt = now, RequestedBy = e.By ?? "alert",
                Parameters = new JsonObject
                {
                    ["alertId"] = e.AlertId.ToString("D"), ["event"] = e.Kind.ToString(), ["alertType"] = e.Type, ["severity"] = e.Severity.ToString(),
                    ["message"] = e.Message, ["count"] = e.Count, ["at"] = e.At.ToString("O"), ["by"] = e.By,
                }.ToJsonString(),
            });
            queued.Add(workflow.Id);
        }

        if (queued.Count == 0) return;
        await db.SaveChangesAsync(ct);
        foreach (var id in queued) runner.Changed(id);
        runner.Wake();
    }
}
