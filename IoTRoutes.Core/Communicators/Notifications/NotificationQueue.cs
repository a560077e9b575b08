using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// Turns each alert event into the notifications of the rules it matches (their entity holds the alert's device; event,
/// type, severity and devices match), rendered at once and stored Pending; <see cref="NotificationSender"/> sends them.
/// Quick on purpose: the alert's raiser waits for this handler, never for a mail server.
/// </summary>
internal sealed class NotificationQueue(IDbContextFactory<AppDbContext> contexts, AlertEvents events, NotificationSender sender, TimeProvider clock) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        events.Subscribe(QueueAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal async Task QueueAsync(AlertEvent e, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var device = await db.Devices.IgnoreQueryFilters().Where(d => d.Id == e.DeviceId)
            .Select(d => new { d.Id, d.Name, d.Key, d.Entity!.Path }).SingleOrDefaultAsync(ct);
        if (device is null) return;
        var rules = await db.NotificationRules.IgnoreQueryFilters().AsNoTracking().Where(r => r.Enabled)
            .Select(r => new { Rule = r, r.Entity!.Path, r.Communicator!.Kind }).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var notified = new NotifiedDevice(device.Id, device.Name, device.Key);
        var queued = 0;
        foreach (var (rule, path, kind) in rules.Select(r => (r.Rule, r.Path, r.Kind)))
        {
            if (!device.Path.StartsWith(path, StringComparison.Ordinal) || !Matches(rule, e)) continue;
            var record = new NotificationRecord
            {
                Id = Guid.CreateVersion7(now), RuleId = rule.Id, RuleName = rule.Name, AlertId = e.AlertId, DeviceId = e.DeviceId, Event = e.Kind,
                CommunicatorId = rule.CommunicatorId, Kind = kind, Recipients = "", Status = NotificationStatus.Pending, CreatedAt = now, NextAttemptAt = now,
            };
            try
            {
                record.Recipients = NotificationTemplates.Render(rule.Recipients, rule.Recipients, e, notified).Trim();
                record.Subject = kind == CommunicatorKind.Smtp ? NotificationTemplates.Render(rule.SubjectTemplate, NotificationTemplates.DefaultSubject, e, notified) : "";
                record.Body = NotificationTemplates.Render(rule.BodyTemplate, kind == CommunicatorKind.Smtp ? NotificationTemplates.DefaultBody : DefaultJson, e, notified);
            }
            catch (CommunicatorException problem)
            {
                (record.Status, record.Error) = (NotificationStatus.Failed, problem.Message);
            }

            db.Notifications.Add(record);
            queued++;
        }

        if (queued == 0) return;
        await db.SaveChangesAsync(ct);
        sender.Wake();
    }

    private const string DefaultJson = """{"alertId":"{{ alert.id }}","type":"{{ alert.type }}","severity":"{{ alert.severity }}","event":"{{ alert.event }}","message":{{ alert.message | json }},"device":"{{ device.name }}","deviceKey":"{{ device.key }}","at":"{{ alert.at }}"}""";

    internal static bool Matches(NotificationRule rule, AlertEvent e)
    {
        static string[] List(string csv) => csv.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (!List(rule.Events).Contains(e.Kind.ToString())) return false;
        if (List(rule.AlertTypes) is { Length: > 0 } types && !types.Contains(e.Type)) return false;
        if (rule.MinSeverity is { } least && e.Severity > least) return false; // Critical (0) is the most severe
        return List(rule.DeviceIds) is not { Length: > 0 } devices || devices.Contains(e.DeviceId.ToString());
    }
}
