namespace IoTRoutes.Core.Workflows.State;

/// <summary>One value a node keeps between runs (a threshold's side, an anomaly's statistics), per device and key.</summary>
public sealed class WorkflowNodeState
{
    public Guid WorkflowId { get; set; }

    public required string NodeId { get; set; }

    /// <summary><see cref="Guid.Empty"/> for state not about a device.</summary>
    public Guid DeviceId { get; set; }

    public required string Key { get; set; }

    /// <summary>The value as JSON text.</summary>
    public required string Value { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
