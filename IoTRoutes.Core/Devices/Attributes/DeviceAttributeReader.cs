using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>
/// The attributes of a set of devices in one query, as workflows see them (<c>device.attributes.floor</c>): numbers as
/// doubles, texts as strings, booleans as bools.
/// </summary>
public static class DeviceAttributeReader
{
    /// <summary>For a device without attributes.</summary>
    public static readonly IReadOnlyDictionary<string, object?> None = new Dictionary<string, object?>();

    /// <summary>Each device's attributes by key; a device without any is not in the answer (use <see cref="None"/>).</summary>
    /// <remarks>Reads whatever the context's scope lets it see: the caller chose the devices.</remarks>
    public static async Task<Dictionary<Guid, IReadOnlyDictionary<string, object?>>> ReadAsync(AppDbContext db, IReadOnlyCollection<Guid> deviceIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, IReadOnlyDictionary<string, object?>>();
        if (deviceIds.Count == 0) return result;
        var rows = await db.DeviceAttributes.AsNoTracking().Where(a => deviceIds.Contains(a.DeviceId))
            .Select(a => new { a.DeviceId, a.Key, a.Value }).ToListAsync(ct);
        foreach (var device in rows.GroupBy(r => r.DeviceId))
        {
            result[device.Key] = device.ToDictionary(r => r.Key, r => ValueOf(r.Value), StringComparer.Ordinal);
        }

        return result;
    }

    private static object? ValueOf(string json) => Workflows.Engine.WorkflowValues.FromJson(JsonNode.Parse(json));
}
