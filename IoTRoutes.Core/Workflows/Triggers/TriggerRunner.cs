using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Triggers;

public enum TriggerKind
{
    Message,
    DeviceConnected,
    DeviceDisconnected,

    /// <summary>Planned runs (a cron schedule), run by the job runner, not on stored events.</summary>
    Schedule,

    /// <summary>Runs on demand, with parameters, run by the job runner.</summary>
    Manual,

    /// <summary>Runs when an alert is raised, acknowledged or cleared, queued for the job runner.</summary>
    Alert,
}

/// <summary>What happened, as a trigger matches it: a stored message or a device's connection change.</summary>
/// <param name="ExchangeType">The exchange type of the format that decoded the message (Telemetry for a device without a profile).</param>
public sealed record TriggerEvent(TriggerKind Kind, Guid DeviceId, Guid DeviceEntityId, Guid? ProfileId, ExchangeType? ExchangeType = null);

/// <summary>A compiled trigger: which events start a run. In the graph it passes the item on.</summary>
public abstract class TriggerRunner : NodeRunner
{
    public abstract TriggerKind Kind { get; }

    /// <param name="within">Whether an entity is the other one or below it in the entity tree.</param>
    public abstract bool Matches(TriggerEvent e, Func<Guid, Guid, bool> within);

    public override ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call) => new(NodeResult.Out(input));
}

/// <summary>The device filter every trigger shares: a profile, a list of devices, an entity (and below), any of them optional.</summary>
public sealed record DeviceFilter(Guid? ProfileId, IReadOnlySet<Guid>? DeviceIds, Guid? EntityId)
{
    public bool Matches(TriggerEvent e, Func<Guid, Guid, bool> within) =>
        (ProfileId is null || e.ProfileId == ProfileId)
        && (DeviceIds is null || DeviceIds.Contains(e.DeviceId))
        && (EntityId is not { } entity || within(e.DeviceEntityId, entity));

    public static DeviceFilter Read(NodeCompilation node)
    {
        Guid? Id(string name)
        {
            var text = node.Text(name);
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (Guid.TryParse(text, out var id)) return id;
            node.Problem(name, "An id is expected.");
            return null;
        }

        HashSet<Guid>? devices = null;
        if (node.Array("deviceIds") is { Count: > 0 } list)
        {
            devices = [];
            foreach (var item in list)
            {
                if (item is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id)) devices.Add(id);
                else node.Problem("deviceIds", "A list of device ids is expected.");
            }
        }

        return new DeviceFilter(Id("profileId"), devices, Id("entityId"));
    }

    /// <summary>What the filter keeps, in a few words for the canvas ("2 devices", "one profile").</summary>
    public static List<string> Summarize(System.Text.Json.Nodes.JsonObject settings)
    {
        var parts = new List<string>();
        if (settings["deviceIds"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } devices) parts.Add(devices.Count == 1 ? "1 device" : $"{devices.Count} devices");
        if (settings["profileId"] is System.Text.Json.Nodes.JsonValue) parts.Add("one profile");
        if (settings["entityId"] is System.Text.Json.Nodes.JsonValue) parts.Add("one entity");
        return parts;
    }

    public static readonly IReadOnlyList<SettingDescriptor> Settings =
    [
        new("profileId", SettingKind.Text, "Profile", Help: "Only devices of this profile.") { Refers = SettingReference.Profile },
        new("deviceIds", SettingKind.List, "Devices", Help: "Only these devices.") { Refers = SettingReference.Device },
        new("entityId", SettingKind.Text, "Entity", Help: "Only devices of this entity and below.") { Refers = SettingReference.Entity },
    ];
}
