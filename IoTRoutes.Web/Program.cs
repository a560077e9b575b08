using IoTRoutes.Core;
using IoTRoutes.Web.Api;
using IoTRoutes.Web.CommandLine;
using IoTRoutes.Web.Components;
using IoTRoutes.Web.Http;
using IoTRoutes.Web.Security;

// `reset-password <email>` sets a password on the configured database and exits instead of serving.
var command = ResetPasswordCommand.FromArgs(args);
var builder = WebApplication.CreateBuilder(command?.HostArgs ?? args);
if (command is not null)
{
    builder.Logging.ClearProviders(); // the command prints its own outcome; the server's start-up log is not wanted
}

// Serve package assets (MudBlazor, blazor.web.js) from a build in any environment, not only Development;
// a publish output has them in wwwroot and this is a no-op there.
builder.WebHost.UseStaticWebAssets();
// Kestrel's own rejections (malformed request line, over-long URL...) answer with problem details too.
builder.WebHost.UseRejectionProblems();

// MQTT over WebSocket at /mqtt, offered to the brokers before Core registers its default (no extra transports).
builder.Services.AddSingleton<IoTRoutes.Web.Mqtt.WebSocketTransport>();
builder.Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.IBrokerTransports>(sp => sp.GetRequiredService<IoTRoutes.Web.Mqtt.WebSocketTransport>());
builder.Services.AddIoTRoutesCore(builder.Configuration);
builder.Services.AddWebSecurity();
builder.Services.AddApi();
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddUserInterface();

var app = builder.Build();
if (command is not null)
{
    return await command.RunAsync(app.Services, Console.In, Console.Out, Console.Error, CancellationToken.None);
}

app.UseRejectionProblems();
app.UseTrustedProxies(); // the client's address behind a reverse proxy, for throttling and the audit log
app.UseApiProblemDetails();
IoTRoutes.Web.Mqtt.WebSocketTransport.Map(app); // devices authenticate in MQTT CONNECT, not with cookies or tokens
app.UseAuthentication();
app.UseAuthorization();
app.UsePasswordChangeGate();
app.UseAntiforgery();

app.MapApi();
app.MapUserInterface();

app.Run();
return 0;

/// <summary>Entry point, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
