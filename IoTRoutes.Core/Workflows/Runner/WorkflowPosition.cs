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

    /// <summary>The trigger's type (OnMessage, Schedule, Manual…); null in runs recorded before jobs.</summary>
    public string? Trigger { get; set; }

    /// <summary>Where the run is; null in runs recorded before jobs (then <see cref="Succeeded"/> says).</summary>
    public Jobs.JobRunStatus? Status { get; set; }

    /// <summary>A manual run's parameters, a planned run's occurrence (JSON): the run's input fields.</summary>
    public string? Parameters { get; set; }

    public DateTimeOffset? QueuedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The occurrence of the schedule a planned run is for.</summary>
    public DateTimeOffset? ScheduledFor { get; set; }

    /// <summary>A retry waits until then in the queue.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>1 for the first run, then one more per retry of it.</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>Who asked for a manual run (their e-mail); "schedule" or "retry" otherwise.</summary>
    public string? RequestedBy { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>The IoTRoutes node running it (a queued run is claimed by setting it, in one statement).</summary>
    public string? Owner { get; set; }
}
