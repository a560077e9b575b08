using System.Text.Json.Nodes;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>What a designer test run runs on: fields (about a device, if one is chosen), or a stored message.</summary>
public sealed record DesignerTestInput(JsonObject? Fields, Guid? DeviceId, Guid? MessageId);
