namespace IoTRoutes.Core.Messaging.Telemetry;

/// <summary>
/// Fields a workflow computed for a device at one time (SaveTelemetry): shown beside the fields of its messages in the
/// device's series and latest values, but not a message, so it fires no OnMessage workflow. Deleted with its device.
/// </summary>
public sealed class ComputedTelemetry
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Devices.Device? Device { get; set; }

    /// <summary>When the values hold: the time of the message they were computed from (the device's, else the receive time).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>A JSON object of field name → text, number or boolean.</summary>
    public required string Fields { get; set; }

    public Guid? WorkflowId { get; set; }
    public string? NodeId { get; set; }

    /// <summary>The message the values were computed from, if the run had one.</summary>
    public Guid? MessageId { get; set; }

    /// <summary>The run's effect key (<see cref="Workflows.Engine.RunContext.EffectKey"/>): unique, so a repeated run stores nothing twice.</summary>
    public string? EffectKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What a computed field may be.</summary>
public static partial class ComputedTelemetryRules
{
    public const int MaxNameLength = 64;
    public const int MaxFields = 20;
    public const int MaxTextLength = 256;
    public const int MaxNodeIdLength = 64;
    public const int MaxEffectKeyLength = 128;

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();

    // A plain name: expressions read it back as a field, and the latest values leave out names with brackets.
    public static string? CheckName(string? name) => name switch
    {
        null or "" => "Give the field a name.",
        { Length: > MaxNameLength } => $"A field name has at most {MaxNameLength} characters.",
        _ when !NamePattern().IsMatch(name) => "A field name starts with a letter or _ and has only letters, digits and _ (heatIndex, dew_point).",
        _ => null,
    };
}
