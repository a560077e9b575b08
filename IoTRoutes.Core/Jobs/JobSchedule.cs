namespace IoTRoutes.Core.Jobs;

/// <summary>Where a run's life stands. Runs recorded before jobs have none: their Succeeded says.</summary>
public enum JobRunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Skipped,
}

/// <summary>
/// A Schedule job's next occurrence, for the active version of its workflow. The occurrence is claimed by moving
/// <see cref="NextAt"/> on in one statement that names the old value: with several IoTRoutes nodes on one database, one
/// of them wins and queues the run.
/// </summary>
public sealed class JobSchedule
{
    public Guid WorkflowId { get; set; }

    /// <summary>The version whose trigger this follows: another version published starts again from its own schedule.</summary>
    public int Version { get; set; }

    /// <summary>Null when the expression has no more occurrences.</summary>
    public DateTimeOffset? NextAt { get; set; }

    public DateTimeOffset? LastAt { get; set; }
}
