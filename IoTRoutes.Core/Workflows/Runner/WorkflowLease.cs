namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>Which node runs a partition's events, until when: claimed and renewed in one statement each.</summary>
public sealed class WorkflowLease
{
    public int Partition { get; set; }

    /// <summary>The node holding it (<see cref="PartitionLeases.Owner"/>); null when released.</summary>
    public string? Owner { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>A node running workflows, seen lately: the partitions are shared out among the nodes alive.</summary>
public sealed class WorkflowRunnerNode
{
    public required string Owner { get; set; }

    public DateTimeOffset SeenAt { get; set; }
}
