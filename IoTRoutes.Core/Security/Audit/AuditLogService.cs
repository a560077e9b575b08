using System.Globalization;
using System.Text;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Security.Audit;

public sealed record AuditEntryDto(Guid Id, DateTimeOffset At, string User, string Action, string? Target, string? Details, string? From);

/// <summary>Filters for the audit log, newest first.</summary>
public sealed record AuditQuery(string? User = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 200)
{
    public const int MaxLimit = 5000;

    public IReadOnlyDictionary<string, string[]>? Validate()
    {
        var errors = QueryWindow.Check(Limit, MaxLimit, From, To);
        if (Action is { Length: > 0 } action && !AuditActions.All.Contains(action))
        {
            errors["action"] = [$"Unknown action; one of {string.Join(", ", AuditActions.All)}."];
        }

        return errors.Count == 0 ? null : errors;
    }
}

/// <summary>Reads the audit log of the caller's entity and below; needs AuditLog View.</summary>
public sealed class AuditLogService(ScopedContexts contexts)
{
    public async Task<IReadOnlyList<AuditEntryDto>> QueryAsync(AuditQuery query, CancellationToken ct)
    {
        if (query.Validate() is not null)
        {
            throw new ArgumentException("Invalid audit query; call Validate() first.", nameof(query));
        }

        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.AuditLog), ct);
        await using var _db = db;
        var entries = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.User))
        {
            var user = query.User.Trim().ToUpperInvariant();
            entries = entries.Where(e => e.UserEmail.ToUpper().Contains(user));
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            entries = entries.Where(e => e.Action == query.Action);
        }

        if (query.From?.ToUniversalTime() is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (query.To?.ToUniversalTime() is { } to)
        {
            entries = entries.Where(e => e.At <= to);
        }

        return await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(query.Limit)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.UserEmail, e.Action, e.Target, e.Details, e.From))
            .ToListAsync(ct);
    }

    /// <summary>The same entries as CSV (RFC 4180), UTC times in ISO 8601.</summary>
    public async Task<string> ExportCsvAsync(AuditQuery query, CancellationToken ct)
    {
        var csv = new StringBuilder("time,user,action,target,details,from\r\n");
        foreach (var e in await QueryAsync(query, ct))
        {
            csv.AppendJoin(',', Field(e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)), Field(e.User), Field(e.Action),
                Field(e.Target), Field(e.Details), Field(e.From)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Field(string? value)
    {
        value ??= "";
        // Quote always; double inner quotes. A leading =,+,-,@ is prefixed so spreadsheets do not run it as a formula.
        if (value.Length > 0 && "=+-@".Contains(value[0]))
        {
            value = "'" + value;
        }

        return $"\"{value.Replace("\"", "\"\"")}\"";
    }
}
