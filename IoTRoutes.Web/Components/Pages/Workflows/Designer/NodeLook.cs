using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>The icon and colour of a node by its palette group, the same on the palette and on the canvas.</summary>
public static class NodeLook
{
    public static string Icon(string? category) => category switch
    {
        "Triggers" => Icons.Material.Filled.Bolt,
        "Flow" => Icons.Material.Filled.CallSplit,
        "Data" => Icons.Material.Filled.Transform,
        "Analysis" => Icons.Material.Filled.Insights,
        "Alerts" => Icons.Material.Filled.NotificationsActive,
        "Devices" => Icons.Material.Filled.Router,
        "Jobs" => Icons.Material.Filled.Summarize,
        "Integration" => Icons.Material.Filled.Hub,
        _ => Icons.Material.Filled.Extension,
    };

    public static string Color(string? category) => category switch
    {
        "Triggers" => "#7b1fa2",
        "Flow" => "#1565c0",
        "Data" => "#00838f",
        "Analysis" => "#2e7d32",
        "Alerts" => "#c62828",
        "Devices" => "#ef6c00",
        "Jobs" => "#00838f",
        "Integration" => "#5d4037",
        _ => "#616161",
    };
}
