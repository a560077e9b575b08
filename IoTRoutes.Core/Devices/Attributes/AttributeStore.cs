using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>
/// Writes checked attribute values of one device, for users and workflows alike: only values that differ are written,
/// a device holds at most <see cref="AttributeRules.MaxPerDevice"/>, and keys differing only in case are refused (SQL
/// Server's usual collation would take them for the same key, the other databases would not).
/// </summary>
internal static class AttributeStore
{
    /// <summary>Each attempt lost a race with another writer adding the same key; more means a bug.</summary>
    private const int MaxAttempts = 3;

    /// <param name="values">Keys checked by <see cref="AttributeRules.CheckKey"/>, values as stored (<see cref="AttributeRules.CheckValue(System.Text.Json.Nodes.JsonNode?)"/>).</param>
    /// <returns>Null when the device does not exist (or is outside the context's scope).</returns>
    public static async Task<AttributeWrite?> SetAsync(
        AppDbContext db, Guid deviceId, IReadOnlyList<KeyValuePair<string, string>> values, string by, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (!await db.Devices.AnyAsync(d => d.Id == deviceId, ct)) return null;
            var rows = await db.DeviceAttributes.Where(a => a.DeviceId == deviceId).ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, ct);
            var added = values.Where(v => !rows.ContainsKey(v.Key)).Select(v => v.Key).ToList();
            var taken = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in rows.Keys.Concat(added))
            {
                if (!taken.TryAdd(key, key))
                {
                    return new AttributeWrite([], rows.ContainsKey(taken[key])
                        ? $"The device has an attribute {taken[key]} already: keys that differ only in case are not allowed."
                        : $"{taken[key]} and {key} differ only in case: keys that differ only in case are not allowed.");
                }
            }

            if (added.Count > 0 && rows.Count + added.Count > AttributeRules.MaxPerDevice)
            {
                return new AttributeWrite([], $"A device has at most {AttributeRules.MaxPerDevice} attributes; this one has {rows.Count}. Delete one first.");
            }

            var changed = new List<string>();
            foreach (var (key, json) in values)
            {
                if (rows.TryGetValue(key, out var row))
                {
                    if (row.Value == json) continue;
                    (row.Value, row.UpdatedAt, row.UpdatedBy) = (json, now, by);
                }
                else
                {
                    db.DeviceAttributes.Add(new DeviceAttribute { DeviceId = deviceId, Key = key, Value = json, UpdatedAt = now, UpdatedBy = by });
                }

                changed.Add(key);
            }

            if (changed.Count == 0) return new AttributeWrite([]);
            try
            {
                await db.SaveChangesAsync(ct);
                return new AttributeWrite(changed);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                // Another writer added one of these keys first (read again and update it), or the device was just deleted.
                db.ChangeTracker.Clear();
            }
        }
    }
}
