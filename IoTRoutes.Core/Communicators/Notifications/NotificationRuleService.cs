using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Alerts;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// Notification rules as users manage them (secured object Communicators), within their part of the entity tree, and the
/// notifications sent for an alert. A rule uses a communicator of its own entity or an ancestor's.
/// </summary>
public sealed class NotificationRuleService(ScopedContexts contexts, AuditTrail audit, TimeProvider clock)
{
    public const int MaxNameLength = 100;
    public const int MaxTemplateLength = 8000;

    /// <summary>The kinds that can carry a notification.</summary>
    public static readonly IReadOnlySet<CommunicatorKind> NotifyingKinds = new HashSet<CommunicatorKind> { CommunicatorKind.Smtp, CommunicatorKind.Http, CommunicatorKind.MqttBridge };

    public async Task<IReadOnlyList<NotificationRuleDto>> ListAsync(CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Communicators), ct);
        await using var _db = db;
        var rows = await db.NotificationRules.AsNoTracking().Include(r => r.Entity).Include(r => r.Communicator).OrderBy(r => r.Name).ToListAsync(ct);
        return rows.ConvertAll(ToDto);
    }

    public async Task<NotificationRuleDto?> FindAsync(Guid id, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Communicators), ct);
        await using var _db = db;
        return await db.NotificationRules.AsNoTracking().Include(r => r.Entity).Include(r => r.Communicator).SingleOrDefaultAsync(r => r.Id == id, ct) is { } row ? ToDto(row) : null;
    }

    public async Task<ChangeResult> CreateAsync(NotificationRuleRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        var now = clock.GetUtcNow();
        var entityId = request.EntityId ?? caller.Scope.EntityId;
        if (!await db.Entities.AnyAsync(e => e.Id == entityId, ct)) return ChangeResult.Invalid("entityId", "There is no such entity in your part of the tree.");
        var rule = new NotificationRule { Id = Guid.CreateVersion7(now), Name = "", Recipients = "", EntityId = entityId, CreatedAt = now, UpdatedAt = now };
        if (await ApplyAsync(db, rule, request, ct) is { } problem) return problem;
        db.NotificationRules.Add(rule);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.NotificationRuleCreated, caller, rule.Name, $"{rule.Events} of {Any(rule.AlertTypes)} -> {rule.Recipients}", ct);
        return ChangeResult.Done(rule.Id);
    }

    public async Task<ChangeResult> UpdateAsync(Guid id, NotificationRuleRequest request, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (await db.NotificationRules.SingleOrDefaultAsync(r => r.Id == id, ct) is not { } rule) return ChangeResult.NotFound;
        var before = Summary(rule);
        if (await ApplyAsync(db, rule, request, ct) is { } problem) return problem;
        rule.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.NotificationRuleUpdated, caller, rule.Name, $"{before} -> {Summary(rule)}", ct);
        return ChangeResult.Done(rule.Id);
    }

    public async Task<ChangeResult> DeleteAsync(Guid id, CancellationToken ct)
    {
        var (db, caller) = await contexts.CreateAsync(Permission.Manage(SecuredObject.Communicators), ct);
        await using var _db = db;
        if (await db.NotificationRules.SingleOrDefaultAsync(r => r.Id == id, ct) is not { } rule) return ChangeResult.NotFound;
        db.NotificationRules.Remove(rule);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.NotificationRuleDeleted, caller, rule.Name, null, ct);
        return ChangeResult.Done(id);
    }

    /// <summary>The notifications of an alert the caller sees (Alerts View), newest first; null when the alert is not found.</summary>
    public async Task<IReadOnlyList<NotificationDto>?> OfAlertAsync(Guid alertId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Alerts), ct);
        await using var _db = db;
        if (!await db.Alerts.AnyAsync(a => a.Id == alertId, ct)) return null;
        return await db.Notifications.AsNoTracking().Where(n => n.AlertId == alertId).OrderByDescending(n => n.Id)
            .Select(n => new NotificationDto(n.Id, n.RuleId, n.RuleName, n.AlertId, n.Event, n.Kind, n.Recipients, n.Subject, n.Status, n.Attempts, n.CreatedAt, n.SentAt, n.Error))
            .ToListAsync(ct);
    }

    private static async Task<ChangeResult?> ApplyAsync(AppDbContext db, NotificationRule rule, NotificationRuleRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0) errors["name"] = ["Give the rule a name."];
        else if (name.Length > MaxNameLength) errors["name"] = [$"A name has at most {MaxNameLength} characters."];

        var entityPath = await db.Entities.Where(e => e.Id == rule.EntityId).Select(e => e.Path).SingleAsync(ct);
        Communicator? communicator = null;
        if (request.CommunicatorId is not { } communicatorId) errors["communicatorId"] = ["Choose the communicator that carries the notification."];
        else
        {
            communicator = await db.Communicators.Include(c => c.Entity).SingleOrDefaultAsync(c => c.Id == communicatorId, ct);
            if (communicator is null || !entityPath.StartsWith(communicator.Entity!.Path, StringComparison.Ordinal))
                errors["communicatorId"] = ["There is no such communicator of this entity or above it."];
            else if (!NotifyingKinds.Contains(communicator.Kind))
                errors["communicatorId"] = [$"A {communicator.Kind} communicator cannot carry notifications: choose a mail, HTTP or MQTT bridge one."];
        }

        var recipients = request.Recipients?.Trim() ?? "";
        if (recipients.Length == 0) errors["recipients"] = [communicator?.Kind == CommunicatorKind.Smtp ? "Give at least one e-mail address." : "Say where it goes: a path or a topic."];
        else if (communicator?.Kind == CommunicatorKind.Smtp)
        {
            var bad = recipients.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(a => !System.Net.Mail.MailAddress.TryCreate(a, out _)).ToList();
            if (bad.Count > 0) errors["recipients"] = [$"Not an e-mail address: {string.Join(", ", bad)}."];
        }

        foreach (var (field, template) in new[] { ("subjectTemplate", request.SubjectTemplate), ("bodyTemplate", request.BodyTemplate), ("recipients", recipients) })
        {
            if (template is { Length: > MaxTemplateLength }) errors[field] = [$"At most {MaxTemplateLength} characters."];
            else if (NotificationTemplates.Problem(template) is { } problem) errors[field] = [problem];
        }

        var events = request.Events is { Count: > 0 } given ? given.Distinct().ToList() : [AlertEventKind.Raised];
        var types = (request.AlertTypes ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
        if (types.Any(t => t.Contains(','))) errors["alertTypes"] = ["An alert type has no comma."];
        var devices = (request.DeviceIds ?? []).Distinct().ToList();
        if (devices.Count > 0)
        {
            var known = await db.Devices.Where(d => devices.Contains(d.Id) && d.Entity!.Path.StartsWith(entityPath)).CountAsync(ct);
            if (known != devices.Count) errors["deviceIds"] = ["Some devices are not in this rule's part of the entity tree."];
        }

        if (errors.Count > 0) return new ChangeResult(ChangeOutcome.Invalid, Errors: errors);
        rule.Name = name;
        rule.Enabled = request.Enabled ?? rule.Enabled;
        rule.Events = string.Join(",", events);
        rule.AlertTypes = string.Join(",", types);
        rule.MinSeverity = request.MinSeverity;
        rule.DeviceIds = string.Join(",", devices);
        rule.CommunicatorId = communicator!.Id;
        rule.Recipients = recipients;
        rule.SubjectTemplate = request.SubjectTemplate ?? "";
        rule.BodyTemplate = request.BodyTemplate ?? "";
        return null;
    }

    private static string Any(string types) => types.Length == 0 ? "any alert" : types;

    private static string Summary(NotificationRule r) =>
        $"{(r.Enabled ? "" : "disabled, ")}{r.Events} of {Any(r.AlertTypes)}{(r.MinSeverity is { } s ? $" from {s}" : "")} -> {r.Recipients}";

    private static NotificationRuleDto ToDto(NotificationRule r) => new(
        r.Id, r.Name, r.EntityId, r.Entity?.Name ?? "", r.Enabled, [.. r.Events.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<AlertEventKind>)],
        r.AlertTypes.Split(',', StringSplitOptions.RemoveEmptyEntries), r.MinSeverity, [.. r.DeviceIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)],
        r.CommunicatorId, r.Communicator?.Name ?? "", r.Communicator?.Kind ?? CommunicatorKind.Smtp, r.Recipients, r.SubjectTemplate, r.BodyTemplate, r.CreatedAt, r.UpdatedAt);
}
