namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// How far a workflow has read what its trigger reads, for the devices of one partition (<see cref="WorkflowPartitions"/>):
/// every stored event of those devices with an id above <see cref="LastMessageId"/> and below the store's watermark is
/// still to run. For an OnMessage workflow the ids are message ids; for OnDevice* ones, connection event ids.
/// </summary>
public sealed class WorkflowPosition
{
    public Guid WorkflowId { get; set; }

    public int Partition { get; set; }

    public Guid LastMessageId { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A run kept for reading later: every failed run, and every run while the workflow's debug mode is on.</summary>
public sealed class WorkflowRunRecord
{
    public Guid Id { get; set; }

    public Guid WorkflowId { get; set; }

    public int Version { get; set; }

    public Guid? MessageId { get; set; }

    public Guid? DeviceId { get; set; }

    public bool Succeeded { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public double ElapsedMilliseconds { get; set; }

    public string? FailedNode { get; set; }

    public string? Error { get; set; }

    /// <summary>The path, and each node's input and output when traced (JSON).</summary>
    public string? Trace { get; set; }
}
