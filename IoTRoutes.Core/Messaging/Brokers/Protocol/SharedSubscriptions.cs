using System.Collections.Concurrent;
using IoTRoutes.Core.Messaging.Brokers.Topics;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// MQTT 5 shared subscriptions (<c>$share/&lt;group&gt;/&lt;filter&gt;</c>), which MQTTnet 5.2 refuses: each message
/// matching a group's filter goes to one member of the group, taking turns and preferring connected members.
/// MQTTnet sees only a placeholder subscription (<c>$iotroutes-shared/…</c>, a topic nobody publishes to), which keeps
/// its SUBACK, session and unsubscribe bookkeeping right; delivery is done here.
/// </summary>
internal sealed class SharedSubscriptions
{
    public const string SharePrefix = "$share/";
    private const string PlaceholderPrefix = "$iotroutes-shared/";

    private readonly ConcurrentDictionary<(string Group, string Filter), Group> _groups = new();
    private readonly ConcurrentDictionary<string, bool> _connected = new(StringComparer.Ordinal);

    public bool IsEmpty => _groups.IsEmpty;

    /// <summary>Rewrites shared filters in a SUBSCRIBE or UNSUBSCRIBE to their placeholders, before MQTTnet reads it.</summary>
    public void RewriteInbound(InterceptingPacketEventArgs args)
    {
        switch (args.Packet)
        {
            case MqttSubscribePacket subscribe:
                foreach (var filter in subscribe.TopicFilters.Where(f => f.Topic.StartsWith(SharePrefix, StringComparison.Ordinal)))
                {
                    filter.Topic = PlaceholderPrefix + filter.Topic[SharePrefix.Length..];
                }

                break;
            case MqttUnsubscribePacket unsubscribe:
                for (var i = 0; i < unsubscribe.TopicFilters.Count; i++)
                {
                    if (unsubscribe.TopicFilters[i].StartsWith(SharePrefix, StringComparison.Ordinal))
                    {
                        unsubscribe.TopicFilters[i] = PlaceholderPrefix + unsubscribe.TopicFilters[i][SharePrefix.Length..];
                        Leave(args.ClientId, unsubscribe.TopicFilters[i]);
                    }
                }

                break;
        }
    }

    public static bool IsPlaceholder(string filter) => filter.StartsWith(PlaceholderPrefix, StringComparison.Ordinal);

    /// <summary>The group and filter behind a placeholder; null when the shared filter is malformed (MQTT 5 §4.8.2).</summary>
    public static (string Group, string Filter)? Parse(string placeholder)
    {
        var rest = placeholder[PlaceholderPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return null;
        }

        var group = rest[..slash];
        return group.Contains('+') || group.Contains('#') ? null : (group, rest[(slash + 1)..]);
    }

    /// <summary>The original shared filter, for messages and logs.</summary>
    public static string Original(string placeholder) => SharePrefix + placeholder[PlaceholderPrefix.Length..];

    public void Join(string clientId, string group, string filter, MqttQualityOfServiceLevel qos) =>
        _groups.GetOrAdd((group, filter), _ => new Group()).Members[clientId] = qos;

    public void Connected(string clientId) => _connected[clientId] = true;

    public void Disconnected(string clientId) => _connected.TryRemove(clientId, out _);

    /// <summary>The session ended: it leaves every group.</summary>
    public void Forget(string clientId)
    {
        foreach (var (key, group) in _groups)
        {
            group.Members.TryRemove(clientId, out _);
            if (group.Members.IsEmpty)
            {
                _groups.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Gives <paramref name="message"/> to one member of every group whose filter matches its topic.</summary>
    public async Task DeliverAsync(MqttServer server, MqttApplicationMessage message)
    {
        foreach (var ((_, filter), group) in _groups)
        {
            if (!TopicFilter.Matches(filter, message.Topic) || group.Next(_connected) is not { } member)
            {
                continue;
            }

            try
            {
                var session = (await server.GetSessionsAsync()).FirstOrDefault(s => s.Id == member.ClientId);
                if (session is not null)
                {
                    session.TryEnqueueApplicationMessage(CopyFor(message, member.Qos), out _); // a full queue drops, as MQTTnet does
                }
            }
            catch (InvalidOperationException)
            {
                // the session ended meanwhile; the next message goes to another member
            }
        }
    }

    private void Leave(string clientId, string placeholder)
    {
        if (Parse(placeholder) is { } shared && _groups.TryGetValue(shared, out var group))
        {
            group.Members.TryRemove(clientId, out _);
        }
    }

    private static MqttApplicationMessage CopyFor(MqttApplicationMessage m, MqttQualityOfServiceLevel granted) => new()
    {
        Topic = m.Topic,
        Payload = m.Payload,
        QualityOfServiceLevel = (MqttQualityOfServiceLevel)Math.Min((int)m.QualityOfServiceLevel, (int)granted),
        Retain = false,
        ContentType = m.ContentType,
        CorrelationData = m.CorrelationData,
        MessageExpiryInterval = m.MessageExpiryInterval,
        PayloadFormatIndicator = m.PayloadFormatIndicator,
        ResponseTopic = m.ResponseTopic,
        UserProperties = m.UserProperties,
    };

    private sealed class Group
    {
        private int _turn;

        public ConcurrentDictionary<string, MqttQualityOfServiceLevel> Members { get; } = new(StringComparer.Ordinal);

        /// <summary>The next member in turn, skipping disconnected ones unless nobody is connected.</summary>
        public (string ClientId, MqttQualityOfServiceLevel Qos)? Next(ConcurrentDictionary<string, bool> connected)
        {
            var members = Members.ToArray();
            if (members.Length == 0)
            {
                return null;
            }

            var start = Interlocked.Increment(ref _turn);
            for (var i = 0; i < members.Length; i++)
            {
                var candidate = members[(int)((uint)(start + i) % members.Length)];
                if (connected.ContainsKey(candidate.Key))
                {
                    return (candidate.Key, candidate.Value);
                }
            }

            var fallback = members[(int)((uint)start % members.Length)];
            return (fallback.Key, fallback.Value);
        }
    }
}
