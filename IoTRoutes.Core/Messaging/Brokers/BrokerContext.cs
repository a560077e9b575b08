using System.Collections.Concurrent;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>The state one broker's MQTT rules share: its definition, its connections and sessions, and its server.</summary>
internal sealed class BrokerContext(BrokerDefinition definition, BrokerHostServices services, ILogger logger)
{
    public BrokerDefinition Definition => definition;

    public BrokerHostServices Services => services;

    public ILogger Logger => logger;

    // Which device a session (client id) belongs to; Guid.Empty for anonymous clients. MQTTnet hands a persistent
    // session, with its items, to whoever connects next with the same client id; without this a device could take
    // over another's session.
    public ConcurrentDictionary<string, Guid> SessionOwners { get; } = new(StringComparer.Ordinal);

    public DeniedTopics DeniedTopics { get; } = new(BrokerRules.SplitFilters(definition.DeniedSubscriptions));

    public Protocol.ProtocolCompletions ProtocolCompletions { get; } = new(definition, services.Clock, logger);

    public Protocol.SharedSubscriptions SharedSubscriptions { get; } = new();

    public Protocol.PendingConnects PendingConnects { get; } = new(definition.MaxPendingConnects, definition.MaxPendingConnectsPerAddress);

    public Protocol.InboundLimits InboundLimits { get; } = new(definition.ReceiveMaximum, BrokerRules.TopicAliasMaximum,
        (address, code, text) => BrokerLog.ProtocolViolation(logger, definition.Name, address, code.ToString(), text));

    // What each CONNECT was admitted as, until its CONNACK installs it into the session it got. MQTTnet discards the
    // items set during validation when it resumes an existing session, so identity and per-connection state are
    // installed (and checked against the resumed session's owner) only then.
    public ConcurrentDictionary<string, Admission> Admissions { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Refused { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, bool> Live { get; } = new(StringComparer.Ordinal);

    public MqttServer? Server { get; set; }

    public RateMeter MessagesIn { get; } = new(services.Clock);

    public RateMeter MessagesOut { get; } = new(services.Clock);

    public async Task CloseAsync(string clientId, MqttDisconnectReasonCode reason)
    {
        try
        {
            await Task.Yield(); // never from inside MQTTnet's own loops of that client
            if (Server is { } server)
            {
                await server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = reason });
            }
        }
        catch (InvalidOperationException)
        {
            // MQTTnet: "Client with ID ... not found": the connection ended by itself meanwhile (the fuzz test sees this often)
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Broker {Broker}: closing the connection {ClientId} failed", definition.Name, clientId);
        }
    }
}
