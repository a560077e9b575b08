using IoTRoutes.Core;
using IoTRoutes.Web.Api;
using IoTRoutes.Web.Components;
using IoTRoutes.Web.Security;

var builder = WebApplication.CreateBuilder(args);
// Serve package assets (MudBlazor, blazor.web.js) from a build in any environment, not only Development;
// a publish output has them in wwwroot and this is a no-op there.
builder.WebHost.UseStaticWebAssets();

builder.Services.AddIoTRoutesCore(builder.Configuration);
builder.Services.AddWebSecurity();
builder.Services.AddApi();
builder.Services.AddUserInterface();

var app = builder.Build();

app.UseApiProblemDetails();
app.UseAuthentication();
app.UseAuthorization();
app.UsePasswordChangeGate();
app.UseAntiforgery();

app.MapApi();
app.MapUserInterface();

app.Run();

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
