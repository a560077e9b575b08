using System.Text.Json.Nodes;
using Cronos;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Triggers;

/// <summary>What a missed occurrence of a schedule becomes when IoTRoutes comes back: one run, or a Skipped record.</summary>
public enum MissedOccurrences
{
    Skip,
    RunOnce,
}

/// <summary>How a failed planned or manual run is tried again: up to <see cref="Attempts"/> runs in all, waiting longer each time.</summary>
public sealed record RetryPolicy(int Attempts, TimeSpan FirstDelay)
{
    public static readonly RetryPolicy None = new(1, TimeSpan.Zero);

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 and up): the first delay, doubled each time, at most an hour.</summary>
    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, FirstDelay.Ticks * (1L << Math.Clamp(attempt - 2, 0, 20))));

    internal static readonly IReadOnlyList<SettingDescriptor> Settings =
    [
        new("retries", SettingKind.Integer, "Retries", Help: "A failed run is tried again this many times (0 to 10; none by default).") { Default = 0 },
        new("retryDelay", SettingKind.Duration, "First retry after", Help: "Doubled at each retry, at most an hour; 1m by default.") { Default = "1m" },
    ];

    internal static RetryPolicy Read(NodeCompilation node)
    {
        var retries = node.Integer("retries", min: 0, max: 10) ?? 0;
        var delay = node.Duration("retryDelay", required: false, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)) ?? TimeSpan.FromMinutes(1);
        return new RetryPolicy(retries + 1, delay);
    }
}

/// <summary>A trigger that starts planned or manual runs (a job's), not runs on stored events.</summary>
public abstract class JobTriggerRunner(RetryPolicy retry) : TriggerRunner
{
    public RetryPolicy Retry { get; } = retry;

    public override bool Matches(TriggerEvent e, Func<Guid, Guid, bool> within) => false;
}

/// <summary>Runs at the times of a cron expression in a time zone.</summary>
public sealed class ScheduleTrigger : WorkflowAction
{
    public override string Type => "Schedule";

    public override ActionKind Kind => ActionKind.Trigger;

    public override string Category => "Triggers";

    public override string Description => "Starts a run at set times (cron), e.g. every weekday at 07:00.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("cron", SettingKind.Text, "Cron", Required: true,
            Help: "minute hour day-of-month month day-of-week, e.g. 0 7 * * 1-5 (weekdays at 07:00); a sixth field first for seconds."),
        new("timeZone", SettingKind.Text, "Time zone", Help: "An IANA name such as Europe/Paris; UTC by default.") { Default = "UTC" },
        new("missed", SettingKind.Choice, "Missed while down", Help: "Skip: recorded as skipped. RunOnce: one run when IoTRoutes is back.")
        {
            Choices = Enum.GetNames<MissedOccurrences>(), Default = nameof(MissedOccurrences.Skip),
        },
        .. RetryPolicy.Settings,
    ];

    public override string Summarize(JsonObject settings)
    {
        var cron = Short(settings, "cron", 80);
        var zone = Short(settings, "timeZone") is { Length: > 0 } z ? z : "UTC";
        return CronSchedule.TryParse(cron, zone, out var schedule, out _) ? schedule!.Description : cron;
    }

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var cron = node.Text("cron", required: true, max: 200);
        var zone = node.Text("timeZone", max: 100) ?? "UTC";
        var missed = node.Choice<MissedOccurrences>("missed") ?? MissedOccurrences.Skip;
        var retry = RetryPolicy.Read(node);
        CronSchedule? schedule = null;
        if (cron is not null && !CronSchedule.TryParse(cron, zone, out schedule, out var problem))
        {
            node.Problem(problem!.StartsWith("Time zone", StringComparison.Ordinal) ? "timeZone" : "cron", problem);
        }

        return node.Problems.Count > 0 || schedule is null ? null : new Runner(schedule, missed, retry);
    }

    public sealed class Runner(CronSchedule schedule, MissedOccurrences missed, RetryPolicy retry) : JobTriggerRunner(retry)
    {
        public override TriggerKind Kind => TriggerKind.Schedule;

        public CronSchedule Schedule { get; } = schedule;

        public MissedOccurrences Missed { get; } = missed;
    }
}

/// <summary>Runs when someone asks (Run now, or the API), with the parameters the trigger declares.</summary>
public sealed class ManualTrigger : WorkflowAction
{
    public override string Type => "Manual";

    public override ActionKind Kind => ActionKind.Trigger;

    public override string Category => "Triggers";

    public override string Description => "Starts a run on demand (Run now, or POST /api/v1/jobs/{id}/run) with its parameters.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("parameters", SettingKind.List, "Parameters", Help: "What a run asks for; they are the run's fields.")
        {
            Fields =
            [
                new("name", SettingKind.Text, "Name", Required: true),
                new("type", SettingKind.Choice, "Type") { Choices = Enum.GetNames<JobParameterType>(), Default = nameof(JobParameterType.Text) },
                new("default", SettingKind.Text, "Default"),
                new("required", SettingKind.Boolean, "Required") { Default = false },
            ],
        },
        .. RetryPolicy.Settings,
    ];

    public override string Summarize(JsonObject settings) =>
        settings["parameters"] is JsonArray { Count: > 0 } list ? $"on demand · {list.Count} parameter{(list.Count == 1 ? "" : "s")}" : "on demand";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var parameters = JobParameters.Read(node);
        var retry = RetryPolicy.Read(node);
        return node.Problems.Count > 0 ? null : new Runner(parameters, retry);
    }

    public sealed class Runner(JobParameters parameters, RetryPolicy retry) : JobTriggerRunner(retry)
    {
        public override TriggerKind Kind => TriggerKind.Manual;

        public JobParameters Parameters { get; } = parameters;
    }
}

/// <summary>Runs when an alert is raised (opened), acknowledged or cleared, of the types, severities and devices it names.</summary>
public sealed class OnAlertTrigger : WorkflowAction
{
    public override string Type => "OnAlert";

    public override ActionKind Kind => ActionKind.Trigger;

    public override string Category => "Triggers";

    public override string Description => "Starts a run when an alert is raised, acknowledged or cleared; the alert's fields and its device are the item.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("events", SettingKind.List, "Events", Help: "Raised, Acknowledged, Cleared; Raised only by default."),
        new("alertTypes", SettingKind.List, "Alert types", Help: "Only these types (HighTemperature…); every type when empty."),
        new("severities", SettingKind.List, "Severities", Help: "Only these: Critical, Major, Minor, Warning, Indeterminate; every one when empty."),
        .. DeviceFilter.Settings,
        .. RetryPolicy.Settings,
    ];

    public override string Summarize(JsonObject settings)
    {
        var events = settings["events"] is JsonArray { Count: > 0 } e ? string.Join("/", e.Select(x => x?.ToString().ToLowerInvariant())) : "raised";
        var types = settings["alertTypes"] is JsonArray { Count: > 0 } t ? string.Join(", ", t.Select(x => x?.ToString())) : "any alert";
        return $"{types} {events}";
    }

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var events = Names<Alerts.AlertEventKind>(node, "events") ?? [Alerts.AlertEventKind.Raised];
        var severities = Names<Alerts.AlertSeverity>(node, "severities");
        HashSet<string>? types = null;
        if (node.Array("alertTypes") is { Count: > 0 } list)
        {
            types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in list)
            {
                if (item is JsonValue v && v.TryGetValue<string>(out var text) && text.Trim().Length > 0) types.Add(text.Trim());
                else node.Problem("alertTypes", "A list of alert types (texts) is expected.");
            }
        }

        var filter = DeviceFilter.Read(node);
        var retry = RetryPolicy.Read(node);
        return node.Problems.Count > 0 ? null : new Runner(events, types, severities, filter, retry);
    }

    private static HashSet<T>? Names<T>(NodeCompilation node, string setting) where T : struct, Enum
    {
        if (node.Array(setting) is not { Count: > 0 } list) return null;
        var set = new HashSet<T>();
        foreach (var item in list)
        {
            if (item is JsonValue v && v.TryGetValue<string>(out var text) && Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)) set.Add(value);
            else node.Problem(setting, $"Each is one of {string.Join(", ", Enum.GetNames<T>())}.");
        }

        return set;
    }

    public sealed class Runner(
        IReadOnlySet<Alerts.AlertEventKind> events, IReadOnlySet<string>? types, IReadOnlySet<Alerts.AlertSeverity>? severities, DeviceFilter devices, RetryPolicy retry)
        : JobTriggerRunner(retry)
    {
        public override TriggerKind Kind => TriggerKind.Alert;

        /// <summary>Whether the alert's event starts a run (the device's place in the tree checked by <paramref name="within"/>).</summary>
        public bool Matches(Alerts.AlertEvent e, TriggerEvent device, Func<Guid, Guid, bool> within) =>
            events.Contains(e.Kind) && (types is null || types.Contains(e.Type)) && (severities is null || severities.Contains(e.Severity))
            && devices.Matches(device, within);
    }
}
