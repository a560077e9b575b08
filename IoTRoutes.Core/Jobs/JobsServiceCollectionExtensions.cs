using Coravel;
using Coravel.Invocable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Planned and manual jobs: the queue's runner, the schedules' dispatcher (woken every second by Coravel), the service.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        services.AddSingleton<ScheduleDispatcher>();
        services.AddScoped<JobService>();
        services.AddScheduler();
        services.AddTransient<ScheduleTick>();
        services.AddHostedService<SchedulesStart>();
        services.AddHostedService<AlertJobs>();
        return services;
    }
}

/// <summary>Coravel's every-second call: the dispatcher looks for due occurrences (Cronos computes them, not Coravel).</summary>
internal sealed class ScheduleTick(ScheduleDispatcher dispatcher) : IInvocable
{
    public Task Invoke() => dispatcher.DispatchAsync(CancellationToken.None);
}

/// <summary>
/// Starts Coravel's scheduler with the one dispatcher when the host starts; <c>IoTRoutes:Jobs:DispatchSchedules=false</c>
/// leaves it off (tests drive the dispatcher with their own clock).
/// </summary>
internal sealed class SchedulesStart(IServiceProvider services, Microsoft.Extensions.Configuration.IConfiguration configuration, ILogger<SchedulesStart> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(configuration["IoTRoutes:Jobs:DispatchSchedules"], "false", StringComparison.OrdinalIgnoreCase)) return Task.CompletedTask;
        services.UseScheduler(scheduler => scheduler.Schedule<ScheduleTick>().EverySecond().PreventOverlapping(nameof(ScheduleTick)))
            .OnError(e => logger.LogWarning(e, "Dispatching the schedules failed; the next second tries again"));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
