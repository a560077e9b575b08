using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Communicators.MqttBridge;

[JsonConverter(typeof(JsonStringEnumConverter<MqttBridgeStatus>))]
public enum MqttBridgeStatus
{
    /// <summary>The first attempt is under way.</summary>
    Connecting,

    /// <summary>Connected and subscribed to every inbound filter.</summary>
    Connected,

    /// <summary>An attempt failed or the connection dropped: see the last error; the next attempt is at the time given.</summary>
    Reconnecting,

    /// <summary>Not running (stopped, or settings that cannot be used: see the last error).</summary>
    Stopped,
}

/// <summary>A bridge as its page shows it: a snapshot, safe to show (no secret in any text).</summary>
/// <param name="LastError">Why the last attempt failed or the connection dropped, for people.</param>
/// <param name="NextAttemptAt">With <see cref="MqttBridgeStatus.Reconnecting"/>: when the bridge tries again.</param>
/// <param name="MessagesIn">Messages received from the external broker (stored or dropped).</param>
/// <param name="MessagesOut">Messages published to the external broker.</param>
/// <param name="Dropped">Received messages not stored: unknown device, or a topic that names no device.</param>
/// <param name="LastDrop">Why the latest of them was dropped.</param>
public sealed record MqttBridgeState(
    MqttBridgeStatus Status,
    string? LastError,
    ConnectionFailure? LastFailure,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? ConnectedSince,
    long MessagesIn,
    long MessagesOut,
    long Dropped,
    string? LastDrop,
    DateTimeOffset? LastMessageAt);
