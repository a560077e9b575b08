using IoTRoutes.Core;
using IoTRoutes.Web.Api;
using IoTRoutes.Web.Components;
using IoTRoutes.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddIoTRoutesCore(builder.Configuration);
builder.Services.AddWebSecurity();
builder.Services.AddApi();
builder.Services.AddUserInterface();

var app = builder.Build();

app.UseApiProblemDetails();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UsePasswordChangeGate();
app.UseAntiforgery();

app.MapApi();
app.MapUserInterface();

app.Run();

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
