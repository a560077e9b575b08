using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>
/// Publishes the item on another broker through a running MQTT bridge communicator: a topic template, and the payload as
/// a template or, when none is given, the item's fields as JSON. QoS 1 and 2 go on only once that broker acknowledged;
/// a bridge that is not connected sends the item to the error port with its last error. Over MQTT 5 the run's effect key
/// travels as the user property <c>iotroutes-effect-key</c>, so a receiver can drop a repeat after a crash. A dry run
/// publishes nothing.
/// </summary>
public sealed class ForwardToMqttAction : WorkflowAction
{
    public override string Type => "ForwardToMqtt";

    public override string Category => "Integration";

    public override string Description => "Publishes the item on another broker through an MQTT bridge communicator.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        CommunicatorEffects.Setting(SettingReference.MqttBridge, "MQTT bridge"),
        new("topic", SettingKind.Template, "Topic", Required: true, Help: "e.g. site/{{ device.key }}/temperature (no wildcards)."),
        new("payload", SettingKind.Template, "Payload", Help: "A Liquid template; the item's fields as JSON when empty."),
        new("qos", SettingKind.Choice, "QoS") { Choices = ["0", "1", "2"], Default = "1" },
        new("retain", SettingKind.Boolean, "Retain") { Default = false },
    ];

    public override string Summarize(JsonObject settings) => $"→ {Short(settings, "topic")}";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var id = CommunicatorEffects.Id(node);
        var topic = node.Template("topic");
        var payload = node.Template("payload", required: false);
        var qos = node.Settings["qos"] switch
        {
            null => 1,
            JsonValue v when v.TryGetValue<int>(out var number) => number,
            JsonValue v when v.TryGetValue<string>(out var text) && int.TryParse(text.Trim(), out var parsed) => parsed,
            _ => -1,
        };
        if (qos is < 0 or > 2) node.Problem("qos", "QoS is 0, 1 or 2.");
        var retain = node.Boolean("retain");
        return node.Problems.Count > 0 ? null : new Runner(id!.Value, topic!, payload, qos, retain);
    }

    private sealed class Runner(Guid communicator, CompiledTemplate topic, CompiledTemplate? payload, int qos, bool retain) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var to = topic.Render(input).Trim();
            if (MqttTopicNames.Problem(to) is { } problem) return NodeResult.Fail($"The topic \"{to}\" cannot be published to: {problem}");
            var body = payload?.Render(input) ?? input.FieldsAsJson().ToJsonString();
            var effect = new ForwardToMqttEffect(communicator, call.Run.WorkflowId, to, body, qos, retain, call.Run.EffectKey(call.NodeId));
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (done?[CommunicatorEffects.ErrorMember] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fields = input.CopyFields();
            fields["forwardedTo"] = to;
            return NodeResult.Out(input.WithFields(fields));
        }
    }
}

/// <summary>Publishes one message through a bridge for a workflow; answers <c>topic</c>, or <c>error</c> (one sentence, no secret).</summary>
public sealed record ForwardToMqttEffect(Guid CommunicatorId, Guid WorkflowId, string Topic, string Payload, int Qos, bool Retain, string? EffectKey) : IWorkflowEffect
{
    public string Kind => "ForwardToMqtt";

    public string Summary => $"publish on {Topic} (QoS {Qos}{(Retain ? ", retained" : "")})";

    public JsonObject Describe() => new()
    {
        ["communicatorId"] = CommunicatorId, ["topic"] = Topic, ["payload"] = Payload, ["qos"] = Qos, ["retain"] = Retain,
    };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var usage = services.GetRequiredService<CommunicatorUsage>();
        try
        {
            var connection = await CommunicatorEffects.LoadAsync(services, WorkflowId, CommunicatorId, CommunicatorKind.MqttBridge, ct);
            var bridge = services.GetRequiredService<MqttBridgeHost>().Get(connection.Id)
                         ?? throw new CommunicatorException(ConnectionFailure.Unavailable, $"The bridge {connection.Name} is not running.");
            await bridge.PublishAsync(Topic, Encoding.UTF8.GetBytes(Payload), Qos, Retain, ct, EffectKey);
            await usage.RecordAsync(CommunicatorId, true, null, ct);
            return new JsonObject { ["topic"] = Topic };
        }
        catch (CommunicatorException e)
        {
            await usage.RecordAsync(CommunicatorId, false, e.Message, ct);
            return new JsonObject { [CommunicatorEffects.ErrorMember] = $"Not forwarded: {e.Message}" };
        }
    }
}
