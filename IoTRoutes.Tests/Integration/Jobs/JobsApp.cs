using IoTRoutes.Core.Workflows;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration.Workflows;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>
/// The app with the test-only Notify action, and with Coravel's every-second dispatch of schedules off: the tests call
/// the dispatcher themselves, with a clock they move (the job runner itself runs as in production).
/// </summary>
public sealed class JobsApp() : IoTRoutesApp(TestDatabase.Sqlite())
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("IoTRoutes:Jobs:DispatchSchedules", "false")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<NotifyLog>();
            services.AddAction<NotifyAction>();
        });
    }
}
