using IoTRoutes.Core.Communicators;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Communicators;

/// <summary>How each kind of communicator is named and drawn on the pages.</summary>
public static class CommunicatorLooks
{
    public static string Label(CommunicatorKind kind) => kind switch
    {
        CommunicatorKind.Http => "HTTP / REST API",
        CommunicatorKind.Smtp => "Mail (SMTP)",
        CommunicatorKind.Ftp => "FTP / FTPS",
        CommunicatorKind.Sftp => "SFTP",
        _ => "MQTT bridge",
    };

    public static string Icon(CommunicatorKind kind) => kind switch
    {
        CommunicatorKind.Http => Icons.Material.Outlined.Api,
        CommunicatorKind.Smtp => Icons.Material.Outlined.Email,
        CommunicatorKind.Ftp or CommunicatorKind.Sftp => Icons.Material.Outlined.DriveFolderUpload,
        _ => Icons.Material.Outlined.Hub,
    };
}
