namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// Nodes copied in this browser tab (one per circuit), so that they paste into another workflow even where the browser
/// does not let the page read the system clipboard.
/// </summary>
public sealed class DesignerClipboard
{
    public string? Fragment { get; set; }
}
