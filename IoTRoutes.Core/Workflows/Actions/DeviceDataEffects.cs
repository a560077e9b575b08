using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices.Attributes;
using IoTRoutes.Core.Messaging.Telemetry;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Sets attributes of a device (values checked, as stored JSON); answers the keys that changed, an <c>error</c> when the
/// device cannot take them (too many, a key clashing in case), or null when the device is gone.
/// </summary>
public sealed record SetAttributesEffect(Guid DeviceId, string DeviceName, IReadOnlyList<KeyValuePair<string, string>> Values, string UpdatedBy) : IWorkflowEffect
{
    public string Kind => "SetAttribute";

    public string Summary => $"set {string.Join(", ", Values.Select(v => $"{v.Key} = {v.Value}"))} on {DeviceName}";

    public JsonObject Describe()
    {
        var attributes = new JsonObject();
        foreach (var (key, json) in Values) attributes[key] = JsonNode.Parse(json);
        return new() { ["deviceId"] = DeviceId, ["device"] = DeviceName, ["attributes"] = attributes, ["updatedBy"] = UpdatedBy };
    }

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct) =>
        await services.GetRequiredService<DeviceAttributeWriter>().SetAsync(DeviceId, Values, UpdatedBy, ct) switch
        {
            null => null,
            { Problem: { } problem } => new JsonObject { ["error"] = problem },
            var written => new JsonObject { ["changed"] = new JsonArray([.. written.Changed.Select(k => (JsonNode)k)]) },
        };
}

/// <summary>Stores computed telemetry of a device; answers the point's id and whether it was stored before (same effect key), or null when the device is gone.</summary>
public sealed record SaveTelemetryEffect(ComputedPoint Point, string DeviceName) : IWorkflowEffect
{
    public string Kind => "SaveTelemetry";

    public string Summary => $"save {string.Join(", ", Point.Fields.Select(f => $"{f.Key} = {f.Value.ToJsonString()}"))} as telemetry of {DeviceName}";

    public JsonObject Describe()
    {
        var fields = new JsonObject();
        foreach (var (name, value) in Point.Fields) fields[name] = value.DeepClone();
        return new() { ["deviceId"] = Point.DeviceId, ["device"] = DeviceName, ["at"] = Point.At, ["fields"] = fields };
    }

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct) =>
        await services.GetRequiredService<ComputedTelemetryWriter>().StoreAsync(Point, ct) is { } stored
            ? new JsonObject { ["id"] = stored.Id, ["duplicate"] = stored.Duplicate }
            : null;
}
