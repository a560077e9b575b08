using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Telemetry;

/// <summary>Fields to store as a device's telemetry at a time; <see cref="EffectKey"/>, when given, makes storing them again a no-op.</summary>
public sealed record ComputedPoint(
    Guid DeviceId, DateTimeOffset At, IReadOnlyList<KeyValuePair<string, JsonValue>> Fields, Guid? WorkflowId, string? NodeId, Guid? MessageId, string? EffectKey);

/// <summary>A stored point's id; <see cref="Duplicate"/> when its key was stored before and that first point is answered.</summary>
public sealed record StoredPoint(Guid Id, bool Duplicate);

/// <summary>
/// Stores computed telemetry for workflows (no user, no scope): the point, and in the same transaction the device's latest
/// values where it is the newest. Never a message: no workflow fires on it.
/// </summary>
public sealed class ComputedTelemetryWriter(IDbContextFactory<AppDbContext> contexts, MessageFeed feed, TimeProvider clock)
{
    /// <summary>Each attempt lost a race on a latest value with the intake's writer or another point; more means a bug.</summary>
    private const int MaxAttempts = 3;

    /// <summary>Null when the device no longer exists.</summary>
    public async Task<StoredPoint?> StoreAsync(ComputedPoint point, CancellationToken ct)
    {
        if (point.Fields.Count is 0 or > ComputedTelemetryRules.MaxFields || point.Fields.FirstOrDefault(f => ComputedTelemetryRules.CheckName(f.Key) is not null) is { Key: not null })
        {
            throw new ArgumentException($"1 to {ComputedTelemetryRules.MaxFields} fields with plain names are expected.", nameof(point));
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (point.EffectKey is { } key && await FirstWithKeyAsync(db, key, ct) is { } first)
            {
                return new StoredPoint(first, Duplicate: true);
            }

            if (!await db.Devices.AnyAsync(d => d.Id == point.DeviceId, ct))
            {
                return null;
            }

            var row = new ComputedTelemetry
            {
                Id = Guid.CreateVersion7(), DeviceId = point.DeviceId, At = point.At, Fields = FieldsJson(point.Fields),
                WorkflowId = point.WorkflowId, NodeId = TextLimits.Clip(point.NodeId, ComputedTelemetryRules.MaxNodeIdLength),
                MessageId = point.MessageId, EffectKey = point.EffectKey, CreatedAt = clock.GetUtcNow(),
            };
            db.ComputedTelemetry.Add(row);
            await UpdateLatestAsync(db, row, point, ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                continue; // the same key stored meanwhile (answered by the next attempt), or a latest value written under us
            }

            feed.Publish(new MessagesChanged(new HashSet<Guid> { point.DeviceId }));
            return new StoredPoint(row.Id, Duplicate: false);
        }
    }

    private static Task<Guid?> FirstWithKeyAsync(AppDbContext db, string key, CancellationToken ct) =>
        db.ComputedTelemetry.IgnoreQueryFilters().Where(c => c.EffectKey == key).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);

    /// <summary>The device's latest values, as the intake's <see cref="Formats.LatestFieldValues"/> keeps them: where this point is not older.</summary>
    private static async Task UpdateLatestAsync(AppDbContext db, ComputedTelemetry row, ComputedPoint point, CancellationToken ct)
    {
        var names = point.Fields.Select(f => f.Key).ToList();
        var latest = await db.FieldValues.IgnoreQueryFilters().Where(v => v.DeviceId == point.DeviceId && names.Contains(v.Name)).ToDictionaryAsync(v => v.Name, ct);
        foreach (var (name, value) in point.Fields)
        {
            if (!latest.TryGetValue(name, out var field))
            {
                field = new Formats.DeviceFieldValue { DeviceId = point.DeviceId, Name = name, Value = "" };
                db.FieldValues.Add(field);
            }
            else if (field.At > point.At)
            {
                continue;
            }

            // The message the value was computed from, or the point itself when the run had none.
            (field.Value, field.Unit, field.At, field.MessageId) = (ScalarValue.Json(value), null, point.At, point.MessageId ?? row.Id);
        }
    }

    private static string FieldsJson(IReadOnlyList<KeyValuePair<string, JsonValue>> fields)
    {
        var json = new JsonObject();
        foreach (var (name, value) in fields) json[name] = value.DeepClone();
        return json.ToJsonString();
    }
}
