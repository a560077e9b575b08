using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Triggers;

/// <summary>Runs on every stored message (Processed) of the matching devices and exchange type, after it is stored.</summary>
public sealed class OnMessageTrigger : WorkflowAction
{
    public override string Type => "OnMessage";

    public override ActionKind Kind => ActionKind.Trigger;

    public override string Category => "Triggers";

    public override string Description => "Starts a run for each stored message of the matching devices.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("exchangeType", SettingKind.Choice, "Exchange type", Help: "Telemetry unless said otherwise.")
        {
            Choices = Enum.GetNames<ExchangeType>(), Default = nameof(ExchangeType.Telemetry),
        },
        .. DeviceFilter.Settings,
    ];

    public override string Summarize(JsonObject settings) =>
        string.Join(" · ", [Short(settings, "exchangeType") is { Length: > 0 } t ? t : nameof(ExchangeType.Telemetry), .. DeviceFilter.Summarize(settings)]);

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var exchange = node.Choice<ExchangeType>("exchangeType") ?? ExchangeType.Telemetry;
        var filter = DeviceFilter.Read(node);
        return node.Problems.Count > 0 ? null : new Runner(exchange, filter);
    }

    private sealed class Runner(ExchangeType exchange, DeviceFilter filter) : TriggerRunner
    {
        public override TriggerKind Kind => TriggerKind.Message;

        public override bool Matches(TriggerEvent e, Func<Guid, Guid, bool> within) =>
            e.Kind == TriggerKind.Message && (e.ExchangeType ?? ExchangeType.Telemetry) == exchange && filter.Matches(e, within);
    }
}

/// <summary>Runs when a matching device connects (<see cref="TriggerKind.DeviceConnected"/>) or disconnects.</summary>
public abstract class OnDeviceConnectionTrigger(TriggerKind kind) : WorkflowAction
{
    public override ActionKind Kind => ActionKind.Trigger;

    public override string Category => "Triggers";

    public override IReadOnlyList<SettingDescriptor> Settings => DeviceFilter.Settings;

    public override string Summarize(JsonObject settings) => DeviceFilter.Summarize(settings) is { Count: > 0 } parts ? string.Join(" · ", parts) : "every device";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var filter = DeviceFilter.Read(node);
        return node.Problems.Count > 0 ? null : new Runner(kind, filter);
    }

    private sealed class Runner(TriggerKind kind, DeviceFilter filter) : TriggerRunner
    {
        public override TriggerKind Kind => kind;

        public override bool Matches(TriggerEvent e, Func<Guid, Guid, bool> within) => e.Kind == kind && filter.Matches(e, within);
    }
}

public sealed class OnDeviceConnectedTrigger() : OnDeviceConnectionTrigger(TriggerKind.DeviceConnected)
{
    public override string Type => "OnDeviceConnected";

    public override string Description => "Starts a run when a matching device connects.";
}

public sealed class OnDeviceDisconnectedTrigger() : OnDeviceConnectionTrigger(TriggerKind.DeviceDisconnected)
{
    public override string Type => "OnDeviceDisconnected";

    public override string Description => "Starts a run when a matching device disconnects.";
}
