using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

internal static partial class IntakeLog
{
    [LoggerMessage(1001, LogLevel.Warning, "Writing a batch of {Count} messages failed; writing them one by one")]
    public static partial void BatchRetriedOneByOne(ILogger logger, int count, Exception exception);

    [LoggerMessage(1004, LogLevel.Error, "Message {MessageId} from device {DeviceId} on {Topic} (QoS {Qos}) could not be stored; QoS 1/2 publishers are not acknowledged and send it again, QoS 0 is lost")]
    public static partial void WriteFailed(ILogger logger, Guid messageId, Guid deviceId, string topic, int qos, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Message {MessageId} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(1005, LogLevel.Critical, "Syncing the message log to disk failed; no message is acknowledged any more until IoTRoutes is restarted")]
    public static partial void SyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(1003, LogLevel.Error, "Acquisition batch failed; it is retried")]
    public static partial void AcquisitionFailed(ILogger logger, Exception exception);
}
