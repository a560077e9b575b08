using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Brokers;

internal static partial class BrokerLog
{
    [LoggerMessage(2001, LogLevel.Information, "Broker {Broker} listening on {Address}:{Port}")]
    public static partial void Started(ILogger logger, string broker, string address, int port);

    [LoggerMessage(2002, LogLevel.Information, "Broker {Broker} stopped")]
    public static partial void Stopped(ILogger logger, string broker);

    [LoggerMessage(2003, LogLevel.Warning, "Broker {Broker}: connection refused for user {UserName} from {Endpoint}: bad user name or password")]
    public static partial void BadCredentials(ILogger logger, string broker, string? userName, string? endpoint);

    [LoggerMessage(2004, LogLevel.Warning, "Broker {Broker}: device {DeviceKey} may not publish to {Topic}; dropped")]
    public static partial void ForeignTopic(ILogger logger, string broker, string deviceKey, string topic);

    [LoggerMessage(2005, LogLevel.Warning, "Broker {Broker}: device {DeviceKey} sent {Size} bytes to {Topic}, over the {Limit}-byte limit; refused")]
    public static partial void Oversize(ILogger logger, string broker, string deviceKey, string topic, long size, int limit);

    [LoggerMessage(2006, LogLevel.Warning, "Broker {Broker}: device {DeviceKey} may not subscribe to {Filter}")]
    public static partial void ForeignSubscription(ILogger logger, string broker, string deviceKey, string filter);

    [LoggerMessage(2007, LogLevel.Error, "Broker {Broker}: storing a message from {DeviceKey} failed; the connection is closed so the device sends it again")]
    public static partial void IntakeFailed(ILogger logger, string broker, string deviceKey, Exception exception);

    [LoggerMessage(2008, LogLevel.Error, "Broker {Broker}: checking the credentials of {UserName} failed")]
    public static partial void ValidationFailed(ILogger logger, string broker, string? userName, Exception exception);

    [LoggerMessage(2010, LogLevel.Warning, "Broker {Broker}: device {DeviceKey} may not use client id {ClientId}, which belongs to another device's session")]
    public static partial void ClientIdTaken(ILogger logger, string broker, string deviceKey, string clientId);

    [LoggerMessage(2011, LogLevel.Error, "Broker {Broker}: connection of {UserName} carries the session of device {DeviceKey}; closed")]
    public static partial void IdentityMismatch(ILogger logger, string broker, string? userName, string deviceKey);

    [LoggerMessage(2012, LogLevel.Warning, "Broker {Broker}: connection from {Endpoint} refused ({Reason}): {Detail}")]
    public static partial void Refused(ILogger logger, string broker, string? endpoint, string reason, string detail);

    [LoggerMessage(2013, LogLevel.Information, "Broker {Broker}: TLS on {Address}:{Port}")]
    public static partial void TlsStarted(ILogger logger, string broker, string address, int port);

    [LoggerMessage(2014, LogLevel.Warning, "Broker {Broker}: subscription to {Filter} by {ClientId} denied by the broker's topic rules")]
    public static partial void DeniedSubscription(ILogger logger, string broker, string clientId, string filter);

    [LoggerMessage(2015, LogLevel.Information, "Broker {Broker}: session {ClientId} expired and was removed")]
    public static partial void SessionExpired(ILogger logger, string broker, string clientId);

    [LoggerMessage(2017, LogLevel.Warning, "Broker {Broker}: {Count} connection(s) closed before CONNECT, over the bounds on connections awaiting it; latest from {Endpoint}: {Refusal}")]
    public static partial void AwaitingConnectRefused(ILogger logger, string broker, long count, string? endpoint, string refusal);

    [LoggerMessage(2018, LogLevel.Error, "Broker {Broker}: accepting or serving a TCP connection failed")]
    public static partial void ListenerFailed(ILogger logger, string broker, Exception exception);

    [LoggerMessage(2016, LogLevel.Warning, "Broker {Broker}: connection from {Endpoint} closed with DISCONNECT {Reason}: {Detail}")]
    public static partial void ProtocolViolation(ILogger logger, string broker, string? endpoint, string reason, string detail);
}
