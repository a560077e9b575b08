using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging;

/// <summary>
/// How many of a device's messages are in a state, so that the counts never scan the messages. Kept by triggers on the
/// message table (SQLite and PostgreSQL), except for the SQLite intake writer, which adds its batches itself; the
/// sweeper removes the rows of deleted devices (docs/architecture.md).
/// </summary>
public sealed class MessageCount
{
    public Guid DeviceId { get; set; }
    public MessageState State { get; set; }
    public long Count { get; set; }
}
