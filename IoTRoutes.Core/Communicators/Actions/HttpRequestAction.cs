using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.Http;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>
/// Calls an HTTP API through an HTTP communicator (its base URL, authentication, retries): method, a path and a body as
/// Liquid templates over the item. The item goes on with <c>response</c> (<c>status</c>, and <c>body</c>: JSON when the
/// answer is JSON, else text); a failure (refused, 4xx, 5xx after the retries, circuit open) goes to the error port. The
/// run's effect key is the idempotency key, so a retried POST is not done twice by a target that de-duplicates.
/// </summary>
public sealed class HttpRequestAction : WorkflowAction
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    public override string Type => "HttpRequest";

    public override string Category => "Integration";

    public override string Description => "Calls an HTTP API through an HTTP communicator; the answer goes on in the item.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        CommunicatorEffects.Setting(SettingReference.HttpCommunicator, "HTTP communicator"),
        new("method", SettingKind.Choice, "Method") { Choices = Methods, Default = "POST" },
        new("path", SettingKind.Template, "Path", Required: true, Help: "Below the communicator's base URL, e.g. readings/{{ device.key }}"),
        new("body", SettingKind.Template, "Body", Help: "e.g. {\"temp\": {{ temp }}}; sent as JSON."),
    ];

    public override string Summarize(JsonObject settings) => $"{Short(settings, "method") ?? "POST"} {Short(settings, "path")}";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var id = CommunicatorEffects.Id(node);
        var method = node.Text("method")?.Trim().ToUpperInvariant() ?? "POST";
        if (!Methods.Contains(method)) node.Problem("method", $"The method is one of {string.Join(", ", Methods)}.");
        var path = node.Template("path");
        var body = node.Settings["body"] is null ? null : node.Template("body", required: false);
        return node.Problems.Count > 0 ? null : new Runner(id!.Value, method, path!, body);
    }

    private sealed class Runner(Guid communicator, string method, CompiledTemplate path, CompiledTemplate? body) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var effect = new HttpRequestEffect(communicator, call.Run.WorkflowId, method, path.Render(input), body?.Render(input), call.Run.EffectKey(call.NodeId));
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (done?[CommunicatorEffects.ErrorMember] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fields = input.CopyFields();
            fields["response"] = done?.DeepClone();
            return NodeResult.Out(input.WithFields(fields));
        }
    }
}

/// <summary>One HTTP call for a workflow; answers <c>{status, body}</c>, or <c>error</c> (one sentence, no secret).</summary>
public sealed record HttpRequestEffect(Guid CommunicatorId, Guid WorkflowId, string Method, string Path, string? Body, string? EffectKey) : IWorkflowEffect
{
    public string Kind => "HttpRequest";

    public string Summary => $"call {Method} {Path}";

    public JsonObject Describe() => new() { ["communicatorId"] = CommunicatorId, ["method"] = Method, ["path"] = Path, ["body"] = Body };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var usage = services.GetRequiredService<CommunicatorUsage>();
        try
        {
            var connection = await CommunicatorEffects.LoadAsync(services, WorkflowId, CommunicatorId, CommunicatorKind.Http, ct);
            var result = await services.GetRequiredService<HttpCommunicator>().SendAsync(connection.Id, HttpKind.SettingsOf(connection), HttpKind.SecretsOf(connection.Secrets),
                new HttpCall { Method = Method, Path = Path, Body = Body, ContentType = Body is null ? null : "application/json", IdempotencyKey = EffectKey }, ct);
            await usage.RecordAsync(CommunicatorId, true, null, ct);
            return new JsonObject { ["status"] = result.Status, ["body"] = BodyOf(result.Body) };
        }
        catch (CommunicatorException e)
        {
            await usage.RecordAsync(CommunicatorId, false, e.Message, ct);
            return new JsonObject { [CommunicatorEffects.ErrorMember] = $"{Method} {Path} failed: {e.Message}" };
        }
    }

    private static JsonNode? BodyOf(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return text;
        }
    }
}
