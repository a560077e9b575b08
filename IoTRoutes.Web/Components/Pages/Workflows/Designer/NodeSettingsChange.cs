using System.Text.Json.Nodes;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>An edit in the settings panel: the node's whole new name and settings (a new object, never the one given).</summary>
/// <param name="NodeId">The node edited: a change can arrive after the canvas selected another node.</param>
/// <param name="Name">The node's name; null when it has none.</param>
/// <param name="Setting">The setting that changed (its name), or null for the node's name: consecutive changes of one setting can be one undo step.</param>
public sealed record NodeSettingsChange(string NodeId, string? Name, JsonObject Settings, string? Setting);
