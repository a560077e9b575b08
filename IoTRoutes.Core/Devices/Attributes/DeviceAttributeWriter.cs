using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>Sets device attributes for workflows (the platform's own work: no user, no scope, not audited per message).</summary>
public sealed class DeviceAttributeWriter(IDbContextFactory<AppDbContext> contexts, DeviceAttributeFeed feed, TimeProvider clock)
{
    /// <summary>
    /// Sets the values (<paramref name="values"/>: key → value, both checked by <see cref="AttributeRules"/>); values that
    /// did not change are not written, so setting the same values again does nothing. Null when the device no longer exists.
    /// </summary>
    /// <param name="by">Who sets them, as the device page shows it: <c>workflow &lt;id&gt;</c>.</param>
    public async Task<AttributeWrite?> SetAsync(Guid deviceId, IReadOnlyList<KeyValuePair<string, string>> values, string by, CancellationToken ct)
    {
        if (values.FirstOrDefault(v => AttributeRules.CheckKey(v.Key) is not null) is { Key: { } bad })
        {
            throw new ArgumentException(AttributeRules.CheckKey(bad), nameof(values));
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var written = await AttributeStore.SetAsync(db, deviceId, values, TextLimits.Clip(by, AttributeRules.MaxUpdatedByLength)!, clock.GetUtcNow(), ct);
        if (written is { Changed.Count: > 0 })
        {
            feed.Publish(deviceId);
        }

        return written;
    }
}
