using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Commands;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// Sends a command to the item's device, as a user's command goes (<see cref="CommandSender"/>): encoded by its profile's
/// Command format if it has one, published now to a connected device, otherwise when it connects. The payload is a map of
/// payload field → expression (<c>"setpoint": "temp - 2"</c>, <c>"mode": "'eco'"</c>); numbers, true/false and JSON
/// objects in the map are taken as they are. The item goes on with <c>commandId</c>; a dry run records the command with
/// the bytes the device would get (an encoding problem fails it as a real run would) and sends nothing.
/// </summary>
public sealed class SendCommandAction : WorkflowAction
{
    public const string CommandIdField = "commandId";

    public override string Type => "SendCommand";

    public override string Category => "Devices";

    public override string Description => "Sends a command to the device, through its profile's Command format.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("name", SettingKind.Text, "Command", Required: true, Help: "The command's name, e.g. set-temperature."),
        new("payload", SettingKind.FieldMap, "Payload",
            Help: "Payload field → expression, e.g. \"setpoint\": \"temp - 2\", \"mode\": \"'eco'\"; numbers and true/false as they are. Empty: no payload.")
        {
            Fields = SettingDescriptor.MapOf("Field", SettingKind.Expression, "Expression"),
        },
        new("expiresInSeconds", SettingKind.Integer, "Wait at most (seconds)",
            Help: $"How long the command waits for an offline device; {CommandRules.DefaultLifetime.TotalHours:0} hours when empty.")
        {
            Default = (int)CommandRules.DefaultLifetime.TotalSeconds,
        },
    ];

    public override string Summarize(JsonObject settings)
    {
        var text = settings["payload"] is JsonObject { Count: > 0 } payload
            ? $"{Short(settings, "name")} {string.Join(", ", payload.Select(p => $"{p.Key} = {(p.Value is JsonValue v && v.TryGetValue<string>(out var e) ? e : p.Value?.ToJsonString())}"))}"
            : Short(settings, "name");
        return text.Length <= 60 ? text : text[..59] + "…";
    }

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var name = node.Text("name", required: true)?.Trim();
        if (name is not null && CommandRules.CheckName(name) is { } problem) node.Problem("name", problem);
        var payload = Payload(node);
        var seconds = node.Integer("expiresInSeconds", min: 1, max: (int)CommandRules.MaxLifetime.TotalSeconds);
        if (node.Problems.Count > 0) return null;
        var services = node.Services;
        return new Runner(name!, payload, seconds is { } s ? TimeSpan.FromSeconds(s) : CommandRules.DefaultLifetime,
            new Lazy<FormatCatalog?>(() => services.GetService<FormatCatalog>()));
    }

    internal static PayloadField[]? Payload(NodeCompilation node)
    {
        switch (node.Settings["payload"])
        {
            case null:
                return null;
            case JsonObject map:
                var fields = new List<PayloadField>();
                foreach (var (key, value) in map)
                {
                    if (string.IsNullOrWhiteSpace(key))
                    {
                        node.Problem("payload", "A payload field needs a name.");
                    }
                    else if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
                    {
                        var (expression, error) = node.Languages.Expressions.Compile(text.GetValue<string>());
                        if (expression is null) node.Problem($"payload.{key}", error!);
                        else fields.Add(new PayloadField(key, expression, null));
                    }
                    else
                    {
                        fields.Add(new PayloadField(key, null, value?.DeepClone())); // a number, true/false, null or JSON as it is
                    }
                }

                return [.. fields];
            default:
                node.Problem("payload", "An object of payload field → expression is expected.");
                return null;
        }
    }

    internal sealed record PayloadField(string Name, CompiledExpression? Expression, JsonNode? Constant);

    /// <summary>The payload's fields worked out on the item; null when the command has no payload.</summary>
    internal static JsonObject? Data(PayloadField[]? payload, WorkflowItem input)
    {
        if (payload is null) return null;
        var data = new JsonObject();
        foreach (var field in payload)
        {
            data[field.Name] = field.Expression is { } expression ? WorkflowValues.ToJson(expression.Evaluate(input)) : field.Constant?.DeepClone();
        }

        return data;
    }

    private sealed class Runner(string name, PayloadField[]? payload, TimeSpan lifetime, Lazy<FormatCatalog?> formats) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (input.Device is not { } device)
            {
                return NodeResult.Fail($"SendCommand needs an item about a device; this one ({input.Trigger ?? "no trigger"}) has none.");
            }

            var data = Data(input);
            var bytes = SendCommandEffect.Bytes(data);
            if (CommandRules.CheckPayload(bytes.Length) is { } tooLarge)
            {
                return NodeResult.Fail($"Command {name} not sent to {device.Name}: {tooLarge} This one has {bytes.Length:N0}.");
            }

            JsonObject? wire = null;
            if (call.Run.DryRun)
            {
                // What the device would receive, encoded now: a payload its Command format cannot encode fails the test run too.
                var preview = new DeviceCommand { Id = Guid.Empty, DeviceId = device.Id, Name = name, Payload = bytes };
                var profile = formats.Value?.For(device.Id);
                var (encoded, problem) = CommandEncoding.Encode(preview, profile);
                if (encoded is null)
                {
                    return NodeResult.Fail($"Command {name} cannot be sent to {device.Name}: {problem}");
                }

                wire = Wire(encoded, profile?.CommandFormat?.Name);
            }

            var effect = new SendCommandEffect(device.Id, device.Name, name, data, lifetime, call.Run.WorkflowId, call.Run.EffectKey(call.NodeId), wire);
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (call.Run.DryRun)
            {
                return NodeResult.Out(With(input, null));
            }

            return done?[SendCommandEffect.ErrorMember] is JsonValue error
                ? NodeResult.Fail(error.GetValue<string>())
                : NodeResult.Out(With(input, done?[CommandIdField]?.GetValue<string>()));
        }

        private JsonObject? Data(WorkflowItem input) => SendCommandAction.Data(payload, input);

        private static WorkflowItem With(WorkflowItem input, string? commandId)
        {
            var fields = input.CopyFields();
            fields[CommandIdField] = commandId;
            return input.WithFields(fields);
        }

        /// <summary>The bytes as the device gets them: text when they read as UTF-8 text (JSON), hexadecimal otherwise.</summary>
        private static JsonObject Wire(CommandPayload encoded, string? format)
        {
            var wire = new JsonObject { ["format"] = format ?? "JSON envelope", ["bytes"] = encoded.Bytes.Length };
            try
            {
                var text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(encoded.Bytes);
                if (text.All(c => !char.IsControl(c) || c is '\n' or '\r' or '\t'))
                {
                    wire["text"] = text;
                    return wire;
                }
            }
            catch (System.Text.DecoderFallbackException)
            {
            }

            wire["hex"] = Convert.ToHexString(encoded.Bytes);
            return wire;
        }
    }
}

/// <summary>
/// Sends a command for a workflow (<see cref="CommandSender"/>): answers <c>commandId</c> and <c>status</c> (the earlier
/// command when this effect's key was seen before), or <c>error</c> when the device is gone or the command is refused.
/// </summary>
public sealed record SendCommandEffect(
    Guid DeviceId, string DeviceName, string Name, JsonObject? Payload, TimeSpan Lifetime, Guid WorkflowId, string? EffectKey, JsonObject? Wire) : IWorkflowEffect
{
    public const string ErrorMember = "error";

    // Text as it is (°C, not \u00B0C): the payload goes to a device, never into a web page.
    private static readonly JsonSerializerOptions PayloadJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The payload as the command stores it: UTF-8 JSON, or nothing.</summary>
    public static byte[] Bytes(JsonObject? payload) => payload is null ? [] : JsonSerializer.SerializeToUtf8Bytes(payload, PayloadJson);

    public string Kind => "SendCommand";

    public string Summary => $"send command {Name} to {DeviceName}";

    public JsonObject Describe() => new()
    {
        ["deviceId"] = DeviceId, ["device"] = DeviceName, ["name"] = Name, ["payload"] = Payload?.DeepClone(),
        ["expiresInSeconds"] = (long)Lifetime.TotalSeconds, ["encoded"] = Wire?.DeepClone(),
    };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var sent = await services.GetRequiredService<CommandSender>()
            .SendAsync(new CommandOrder(DeviceId, Name, Bytes(Payload), Lifetime, CommandOrigin.Workflow(WorkflowId, EffectKey)), ct);
        return sent.Outcome switch
        {
            CommandSendOutcome.Sent or CommandSendOutcome.AlreadySent => new JsonObject
            {
                [SendCommandAction.CommandIdField] = sent.CommandId!.Value.ToString("D", CultureInfo.InvariantCulture),
                ["status"] = sent.Status?.ToString(), ["repeated"] = sent.Outcome == CommandSendOutcome.AlreadySent,
            },
            CommandSendOutcome.DeviceNotFound => new JsonObject { [ErrorMember] = $"Device {DeviceName} no longer exists: command {Name} not sent." },
            _ => new JsonObject { [ErrorMember] = $"Command {Name} cannot be sent to {DeviceName}: {sent.Problem}" },
        };
    }
}
