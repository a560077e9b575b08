using System.ComponentModel.DataAnnotations;

namespace IoTRoutes.Core.Messaging.Pipeline;

/// <summary>Bound to <c>IoTRoutes:Intake</c>.</summary>
public sealed class IntakeOptions
{
    public const string Section = "IoTRoutes:Intake";

    /// <summary>Most messages written in one transaction (group commit) and decoded in one acquisition batch.</summary>
    [Range(1, 10_000)] public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Under load (the previous batch held at least 32 messages), how long the writer waits for a batch to fill before
    /// it commits; 0 commits whatever is waiting at once.
    /// </summary>
    [Range(0, 100)] public int LingerMilliseconds { get; set; } = 1;

    /// <summary>Batches written at the same time on PostgreSQL and SQL Server (SQLite always writes one at a time).</summary>
    [Range(1, 16)] public int Writers { get; set; } = 2;

    /// <summary>Messages waiting to be written before publishers are slowed down (back-pressure).</summary>
    [Range(1, 1_000_000)] public int QueueCapacity { get; set; } = 20_000;
}
