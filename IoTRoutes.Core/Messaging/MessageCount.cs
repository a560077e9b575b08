using IoTRoutes.Core.Messaging.Lifecycle;

namespace IoTRoutes.Core.Messaging;

/// <summary>
/// How many of a device's messages are in a state. Kept by the database itself, with triggers on the message table
/// (SQLite and PostgreSQL; see docs/architecture.md), so that the counts never scan the messages.
/// </summary>
public sealed class MessageCount
{
    public Guid DeviceId { get; set; }
    public MessageState State { get; set; }
    public long Count { get; set; }
}
