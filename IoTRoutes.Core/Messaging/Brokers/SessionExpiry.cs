using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using static IoTRoutes.Core.Messaging.Brokers.BrokerSessionItems;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>Ends persistent sessions whose expiry interval has passed since their connection closed.</summary>
internal sealed class SessionExpiry(BrokerContext broker)
{
    // Disconnected persistent sessions and when they expire (MQTTnet keeps them forever).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiring = new(StringComparer.Ordinal);
    private ITimer? _expiryTimer;
    private int _sweeping;

    public void Start() =>
        _expiryTimer = broker.Services.Clock.CreateTimer(_ => _ = RemoveExpiredSessionsAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public void Stop() => _expiryTimer?.Dispose();

    /// <summary>
    /// How long the session outlives this connection: what CONNECT asked for, or what an MQTT 5 DISCONNECT asked for
    /// instead (InboundRules has put the CONNECT's value into a DISCONNECT without one), capped by the broker. A
    /// DISCONNECT asking for 0 has already ended the session (MQTTnet read it from the CONNECT, which InboundRules set).
    /// </summary>
    public uint SessionExpiryAfter(ClientDisconnectedEventArgs args)
    {
        if (args.SessionItems[ExpiryItem] is not uint atConnect || atConnect == 0)
        {
            return 0;
        }

        return args.DisconnectType == MqttClientDisconnectType.Clean && IsV5(args.SessionItems)
            ? Math.Min(args.SessionExpiryInterval, (uint)broker.Definition.SessionExpirySeconds)
            : atConnect;
    }

    /// <summary>Starts the countdown of a session whose connection closed; <paramref name="expiry"/> 0 ended it already.</summary>
    public void Record(string clientId, uint expiry)
    {
        if (expiry > 0)
        {
            _expiring[clientId] = broker.Services.Clock.GetUtcNow().AddSeconds(expiry);
        }
    }

    /// <summary>The session is connected again, or gone.</summary>
    public void Forget(string clientId) => _expiring.TryRemove(clientId, out _);

    private async Task RemoveExpiredSessionsAsync()
    {
        if (broker.Server is not { } server || _expiring.IsEmpty || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return; // nothing to do, or the previous sweep still runs
        }

        try
        {
            var now = broker.Services.Clock.GetUtcNow();
            var due = _expiring.Where(e => e.Value <= now).ToList();
            if (due.Count == 0)
            {
                return;
            }

            // One snapshot of clients and sessions per sweep, however many sessions expire in it.
            var connected = (await server.GetClientsAsync()).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            var sessions = (await server.GetSessionsAsync()).ToDictionary(x => x.Id, StringComparer.Ordinal);
            foreach (var (clientId, expiresAt) in due)
            {
                if (!_expiring.TryRemove(KeyValuePair.Create(clientId, expiresAt)) || connected.Contains(clientId))
                {
                    continue; // reconnected meanwhile
                }

                // MQTTnet may have ended the session itself (it expires sessions too, without a SessionDeleted event).
                if (sessions.TryGetValue(clientId, out var session))
                {
                    await session.DeleteAsync();
                    BrokerLog.SessionExpired(broker.Logger, broker.Definition.Name, clientId);
                }
                else
                {
                    broker.SessionOwners.TryRemove(clientId, out _);
                    broker.SharedSubscriptions.Forget(clientId);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            broker.Logger.LogWarning(e, "Broker {Broker}: removing expired sessions failed", broker.Definition.Name);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
