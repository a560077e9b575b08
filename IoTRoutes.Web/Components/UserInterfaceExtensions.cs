using IoTRoutes.Web.Security;
using MudBlazor.Services;

namespace IoTRoutes.Web.Components;

public static class UserInterfaceExtensions
{
    public static IServiceCollection AddUserInterface(this IServiceCollection services)
    {
        // A script (up to 4 MiB, as a format allows) comes back from the code editor, or pasted, in one message: SignalR's
        // default 32 KB would drop the circuit, and the user's unsaved edits with it.
        services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 5 * 1024 * 1024);
        // Bottom right: at the top they covered the page's action buttons (Edit, Delete) right after an action.
        services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        services.AddScoped<Pages.Workflows.Designer.DesignerClipboard>();
        return services;
    }

    public static WebApplication MapUserInterface(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
