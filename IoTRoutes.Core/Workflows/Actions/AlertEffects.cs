using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>Raises (or updates) the device's open alert of a type; answers the alert's id, whether it opened, its count; null when the device is gone.</summary>
public sealed record RaiseAlertEffect(AlertRaise Raise, string DeviceName) : IWorkflowEffect
{
    public string Kind => "RaiseAlert";

    public string Summary => $"raise alert {Raise.Type} ({Raise.Severity}) on {DeviceName}";

    public JsonObject Describe() => new()
    {
        ["deviceId"] = Raise.DeviceId, ["device"] = DeviceName, ["alertType"] = Raise.Type, ["severity"] = Raise.Severity.ToString(),
        ["message"] = Raise.Message, ["value"] = Raise.Value?.DeepClone(),
    };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct) =>
        await services.GetRequiredService<AlertRaiser>().RaiseAsync(Raise, ct) is { } raised
            ? new JsonObject { ["alertId"] = raised.AlertId, ["opened"] = raised.Opened, ["count"] = raised.Count }
            : null;
}

/// <summary>Clears the device's open alert of a type, if any; answers how many were cleared (0 or 1).</summary>
public sealed record ClearAlertEffect(Guid DeviceId, string DeviceName, string AlertType) : IWorkflowEffect
{
    public string Kind => "ClearAlert";

    public string Summary => $"clear alert {AlertType} on {DeviceName}";

    public JsonObject Describe() => new() { ["deviceId"] = DeviceId, ["device"] = DeviceName, ["alertType"] = AlertType };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct) =>
        new JsonObject { ["cleared"] = await services.GetRequiredService<AlertRaiser>().ClearByTypeAsync(DeviceId, AlertType, ct) };
}
