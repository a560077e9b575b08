using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Pipeline;

internal static partial class IntakeLog
{
    [LoggerMessage(1001, LogLevel.Error, "Writing a batch of {Count} message(s) failed; their publishers are not acknowledged")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Message {MessageId} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, Guid messageId, string reason);

    [LoggerMessage(1003, LogLevel.Error, "Acquisition batch failed; it is retried")]
    public static partial void AcquisitionFailed(ILogger logger, Exception exception);
}
