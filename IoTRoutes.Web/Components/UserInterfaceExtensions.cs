using IoTRoutes.Web.Security;
using MudBlazor.Services;

namespace IoTRoutes.Web.Components;

public static class UserInterfaceExtensions
{
    public static IServiceCollection AddUserInterface(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        // Bottom right: at the top they covered the page's action buttons (Edit, Delete) right after an action.
        services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
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
