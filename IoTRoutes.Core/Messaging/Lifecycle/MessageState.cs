namespace IoTRoutes.Core.Messaging.Lifecycle;

/// <summary>Where a message is in its life: Received -> Processed | Rejected -> Archived -> Purged.</summary>
public enum MessageState
{
    Received = 0,
    Processed = 1,
    Rejected = 2,
    Archived = 3,
    Purged = 4,
}
