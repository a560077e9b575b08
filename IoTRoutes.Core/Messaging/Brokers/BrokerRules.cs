using System.Net;
using IoTRoutes.Core.Messaging.Brokers.Topics;

namespace IoTRoutes.Core.Messaging.Brokers;

/// <summary>What a broker definition must satisfy; each problem is reported against its field.</summary>
public static class BrokerRules
{
    public const int MaxNameLength = 100;
    public const int DefaultMaxConnections = 10_000;
    public const int DefaultReceiveMaximum = 100;
    public const int DefaultConnectTimeoutSeconds = 10;
    public const int DefaultMaxPendingConnects = 1_000;
    public const int DefaultMaxPendingConnectsPerAddress = 64;

    /// <summary>
    /// The Topic Alias Maximum every broker announces to MQTT 5 clients (MQTTnet's own 65535 would let one connection make
    /// the broker keep 65535 topics for it). Ten covers a device's topics; mosquitto's default is the same.
    /// </summary>
    public const ushort TopicAliasMaximum = 10;

    public static Dictionary<string, string[]> Check(BrokerDefinition b)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string error) => errors[field] = [error];

        if (string.IsNullOrWhiteSpace(b.Name))
        {
            Add("name", "A broker needs a name.");
        }
        else if (b.Name.Length > MaxNameLength)
        {
            Add("name", $"A broker name has at most {MaxNameLength} characters.");
        }
        else if (DisplayText.Problem(b.Name) is { } problem)
        {
            Add("name", problem);
        }

        if (b.Port is < 1 or > 65535)
        {
            Add("port", "The port must be between 1 and 65535.");
        }

        if (b.TlsPort is < 1 or > 65535)
        {
            Add("tlsPort", "The TLS port must be between 1 and 65535.");
        }
        else if (b.TlsPort == b.Port)
        {
            Add("tlsPort", "The TLS port must differ from the plain port.");
        }

        if (!IPAddress.TryParse(b.BindAddress, out _))
        {
            Add("bindAddress", "The bind address must be an IP address, such as 0.0.0.0 or 127.0.0.1.");
        }

        if (b.Protocols == MqttVersions.None)
        {
            Add("protocols", "Allow at least one protocol version: 3.1.1 or 5.0.");
        }

        if (b.MaxConnections is < 1 or > 1_000_000)
        {
            Add("maxConnections", "Maximum connections must be between 1 and 1,000,000.");
        }

        if (b.MaxPayloadBytes is < 1 or > 64 * 1024 * 1024)
        {
            Add("maxPayloadBytes", "The payload limit must be between 1 byte and 64 MiB.");
        }

        if (b.MaxKeepAliveSeconds is < 0 or > 65535)
        {
            Add("maxKeepAliveSeconds", "The keep-alive limit must be between 0 (no limit) and 65535 seconds.");
        }

        if (b.ReceiveMaximum is < 1 or > 65535)
        {
            Add("receiveMaximum", "Receive maximum must be between 1 and 65535.");
        }

        if (b.SessionExpirySeconds < 0)
        {
            Add("sessionExpirySeconds", "Session expiry cannot be negative.");
        }

        if (b.MaxQueuedMessages is < 1 or > 1_000_000)
        {
            Add("maxQueuedMessages", "Queued messages per session must be between 1 and 1,000,000.");
        }

        if (b.MaxConnectAttemptsPerMinute is < 1 or > 1_000_000)
        {
            Add("maxConnectAttemptsPerMinute", "Connection attempts per address must be between 1 and 1,000,000 a minute.");
        }

        if (b.ConnectTimeoutSeconds is < 1 or > 300)
        {
            Add("connectTimeoutSeconds", "The CONNECT timeout must be between 1 and 300 seconds.");
        }

        if (b.MaxPendingConnects is < 1 or > 1_000_000)
        {
            Add("maxPendingConnects", "Connections awaiting CONNECT must be between 1 and 1,000,000.");
        }

        if (b.MaxPendingConnectsPerAddress is < 1 or > 1_000_000)
        {
            Add("maxPendingConnectsPerAddress", "Connections awaiting CONNECT per address must be between 1 and 1,000,000.");
        }
        else if (b.MaxPendingConnectsPerAddress > b.MaxPendingConnects)
        {
            Add("maxPendingConnectsPerAddress", "Connections awaiting CONNECT per address cannot exceed the broker's total.");
        }

        if (b.Authentication == DeviceAuthentication.Certificate && b.TlsPort is null)
        {
            Add("authentication", "Certificate authentication needs a TLS port.");
        }

        foreach (var filter in SplitFilters(b.DeniedSubscriptions))
        {
            if (!TopicFilter.IsValid(filter))
            {
                Add("deniedSubscriptions", $"\"{filter}\" is not a valid MQTT topic filter.");
                break;
            }
        }

        return errors;
    }

    public static string[] SplitFilters(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string[] ProtocolNames(MqttVersions versions) =>
        [.. new[] { (MqttVersions.V311, "3.1.1"), (MqttVersions.V500, "5.0") }.Where(p => versions.HasFlag(p.Item1)).Select(p => p.Item2)];

    /// <summary>Parses "3.1.1"/"5.0" (also "3"/"4"/"5" and "v311"/"v500"); null when one is unknown.</summary>
    public static MqttVersions? ParseProtocols(IEnumerable<string> names)
    {
        var result = MqttVersions.None;
        foreach (var name in names)
        {
            switch (name.Trim().ToLowerInvariant())
            {
                case "3.1.1" or "4" or "v311": result |= MqttVersions.V311; break;
                case "5.0" or "5" or "v500": result |= MqttVersions.V500; break;
                default: return null;
            }
        }

        return result;
    }
}
