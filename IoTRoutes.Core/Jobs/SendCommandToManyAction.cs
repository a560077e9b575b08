using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Jobs;

/// <summary>
/// Sends one command to many devices (a list, an entity and below, a profile; the workflow's part of the tree), each
/// recorded and delivered as a user's command is (<see cref="CommandSender"/>). The payload is worked out once on the
/// item. The item goes on with <c>commands</c>: how many were sent and refused, and each command's id.
/// </summary>
public sealed class SendCommandToManyAction : WorkflowAction
{
    public const int MaxDevices = 1000;

    public override string Type => "SendCommandToMany";

    public override string Category => "Jobs";

    public override string Description => "Sends a command to every device a list, an entity or a profile names (a planned or manual job's).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("name", SettingKind.Text, "Command", Required: true, Help: "The command's name, e.g. reboot."),
        new("payload", SettingKind.FieldMap, "Payload", Help: "Payload field → expression, worked out once on the item; empty: no payload.")
        {
            Fields = SettingDescriptor.MapOf("Field", SettingKind.Expression, "Expression"),
        },
        new("expiresInSeconds", SettingKind.Integer, "Wait at most (seconds)",
            Help: $"How long each command waits for an offline device; {CommandRules.DefaultLifetime.TotalHours:0} hours when empty.")
        {
            Default = (int)CommandRules.DefaultLifetime.TotalSeconds,
        },
        .. DeviceFilter.Settings,
    ];

    public override string Summarize(JsonObject settings) =>
        $"{Short(settings, "name")} to " + (DeviceFilter.Summarize(settings) is { Count: > 0 } parts ? string.Join(" · ", parts) : "every device");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var name = node.Text("name", required: true)?.Trim();
        if (name is not null && CommandRules.CheckName(name) is { } problem) node.Problem("name", problem);
        var payload = SendCommandAction.Payload(node);
        var seconds = node.Integer("expiresInSeconds", min: 1, max: (int)CommandRules.MaxLifetime.TotalSeconds);
        var devices = DeviceFilter.Read(node);
        return node.Problems.Count > 0 ? null
            : new Runner(name!, payload, seconds is { } s ? TimeSpan.FromSeconds(s) : CommandRules.DefaultLifetime, devices);
    }

    private sealed class Runner(string name, SendCommandAction.PayloadField[]? payload, TimeSpan lifetime, DeviceFilter devices) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var data = SendCommandAction.Data(payload, input);
            var bytes = SendCommandEffect.Bytes(data);
            if (CommandRules.CheckPayload(bytes.Length) is { } tooLarge) return NodeResult.Fail($"Command {name} not sent: {tooLarge} This one has {bytes.Length:N0}.");
            var effect = new ManyCommandsEffect(call.Run.WorkflowId, name, data, lifetime, devices, call.Run.EffectKey(call.NodeId));
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (done is JsonObject { } result && result["error"] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fields = input.CopyFields();
            fields["commands"] = done ?? new JsonObject { ["dryRun"] = true };
            return NodeResult.Out(input.WithFields(fields));
        }
    }
}

/// <summary>Sends the command to each matching device; answers <c>{sent, refused, commands: [{deviceId, device, commandId}], problems}</c>.</summary>
internal sealed class ManyCommandsEffect(Guid workflowId, string name, JsonObject? payload, TimeSpan lifetime, DeviceFilter devices, string? key) : IWorkflowEffect
{
    public string Kind => "SendCommandToMany";

    public string Summary => $"send command {name} to the devices named";

    public JsonObject Describe() => new() { ["name"] = name, ["payload"] = payload?.DeepClone(), ["expiresInSeconds"] = (long)lifetime.TotalSeconds };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        List<(Guid Id, string Name)> targets;
        await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            // One more than allowed, to tell "too many" from "exactly the most".
            if (await JobDevices.MatchingAsync(db, workflowId, devices, SendCommandToManyAction.MaxDevices + 1, ct) is not { } matching)
            {
                return new JsonObject { ["error"] = "The workflow no longer exists." };
            }

            targets = matching;
        }

        if (targets.Count > SendCommandToManyAction.MaxDevices)
        {
            return new JsonObject { ["error"] = $"More than {SendCommandToManyAction.MaxDevices:N0} devices match: name fewer." };
        }

        var sender = services.GetRequiredService<CommandSender>();
        var commands = new JsonArray();
        var problems = new JsonArray();
        foreach (var (id, deviceName) in targets)
        {
            var sent = await sender.SendAsync(new CommandOrder(id, name, SendCommandEffect.Bytes(payload), lifetime,
                CommandOrigin.Workflow(workflowId, key is null ? null : $"{key}/{id:N}")), ct);
            if (sent.CommandId is { } commandId) commands.Add(new JsonObject { ["deviceId"] = id.ToString("D"), ["device"] = deviceName, ["commandId"] = commandId.ToString("D") });
            else problems.Add($"{deviceName}: {sent.Problem ?? sent.Outcome.ToString()}");
        }

        return new JsonObject { ["sent"] = commands.Count, ["refused"] = problems.Count, ["commands"] = commands, ["problems"] = problems };
    }
}
