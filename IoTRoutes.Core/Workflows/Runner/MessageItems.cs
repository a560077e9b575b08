using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// A stored message as a workflow item: its decoded data's fields, or, for a device without a profile, the top-level
/// fields of its JSON payload (<c>{"temp":21}</c> gives <c>temp</c>); the device and the message beside them.
/// </summary>
internal static class MessageItems
{
    public static WorkflowItem From(Guid id, string topic, DateTimeOffset receivedAt, DateTimeOffset? deviceTime, string? data, byte[] payload, DeviceContext? device) =>
        WorkflowItem.FromJson(Fields(data, payload), device, new MessageContext(id, topic, receivedAt, deviceTime), "message");

    private static JsonObject Fields(string? data, byte[] payload)
    {
        try
        {
            if (data is not null) return JsonNode.Parse(data) as JsonObject ?? [];
            return payload.Length > 0 && JsonNode.Parse(payload) is JsonObject fields ? fields : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
