using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// Keeps the running bridges as the database says: every enabled MQTT bridge communicator connected at start, restarted
/// with its new settings when it changes, stopped when it is disabled or deleted (no restart of IoTRoutes).
/// </summary>
public sealed class MqttBridgeSupervisor(
    IDbContextFactory<AppDbContext> contexts, CommunicatorSecretBox secrets, CommunicatorUsage usage, MqttBridgeHost host, ILogger<MqttBridgeSupervisor> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        usage.ChangedOrDeleted += id => _ = ApplyLoggedAsync(id, stoppingToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(stoppingToken);
            var ids = await db.Communicators.IgnoreQueryFilters().Where(c => c.Kind == CommunicatorKind.MqttBridge && c.Enabled).Select(c => c.Id).ToListAsync(stoppingToken);
            foreach (var id in ids) await ApplyLoggedAsync(id, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The bridge's state, or null when it does not run (not a bridge, disabled, or its settings cannot start).</summary>
    public MqttBridgeState? StateOf(Guid id) => host.Get(id)?.State;

    private async Task ApplyLoggedAsync(Guid id, CancellationToken ct)
    {
        try
        {
            await ApplyAsync(id, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "MQTT bridge {Id} could not be applied", id);
        }
    }

    private async Task ApplyAsync(Guid id, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var row = await db.Communicators.IgnoreQueryFilters().AsNoTracking().Where(c => c.Id == id)
                .Select(c => new { Communicator = c, c.Entity!.Path }).SingleOrDefaultAsync(ct);
            await host.StopAsync(id);
            if (row is not { Communicator: { Kind: CommunicatorKind.MqttBridge, Enabled: true } c }) return;
            var connection = new CommunicatorConnection(c.Id, c.Revision, c.Name, c.Kind, JsonNode.Parse(c.Settings)!.AsObject(), secrets.Unprotect(c.ProtectedSecrets));
            await host.StartAsync(c.Id, MqttBridgeKind.SettingsOf(connection), MqttBridgeKind.SecretsOf(connection.Secrets), row.Path);
        }
        finally
        {
            _gate.Release();
        }
    }
}
