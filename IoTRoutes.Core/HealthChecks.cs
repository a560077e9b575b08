using IoTRoutes.Core.Messaging.Brokers;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTRoutes.Core;

public sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database cannot be reached.");
    }
}

public sealed class BrokersHealthCheck(BrokerManager brokers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = brokers.Hosts.Where(h => !h.IsRunning).Select(h => h.Definition.Name).Concat(brokers.FailedBrokers).ToList();
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy($"{brokers.Hosts.Count} broker(s) running")
            : HealthCheckResult.Unhealthy($"Broker(s) not running: {string.Join(", ", down)}"));
    }
}
