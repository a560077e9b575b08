using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>The icon and colour of an action's category, the same on the palette, the canvas and the settings panel.</summary>
public static class ActionIcons
{
    public static string For(string category) => category switch
    {
        "Triggers" => Icons.Material.Filled.Bolt,
        "Flow" => Icons.Material.Filled.AltRoute,
        "Data" => Icons.Material.Filled.DataObject,
        "Analysis" => Icons.Material.Filled.Insights,
        "Alerts" => Icons.Material.Filled.NotificationsActive,
        "Devices" => Icons.Material.Filled.Memory,
        "Integration" => Icons.Material.Filled.Cable,
        _ => Icons.Material.Filled.Extension,
    };

    public static Color ColorOf(string category) => category switch
    {
        "Triggers" => Color.Success,
        "Flow" => Color.Primary,
        "Data" => Color.Info,
        "Analysis" => Color.Secondary,
        "Alerts" => Color.Error,
        "Devices" => Color.Tertiary,
        _ => Color.Default,
    };
}
