using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.Smtp;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>
/// Sends a mail through a mail communicator: recipients, subject and text are Liquid templates over the item. The item
/// goes on with <c>mailId</c> (the Message-Id, derived from the run's effect key, so a repeated run after a crash sends the
/// same mail id), or to the error port with the reason (refused, credentials, timeout...). A dry run sends nothing.
/// </summary>
public sealed class SendEmailAction : WorkflowAction
{
    public override string Type => "SendEmail";

    public override string Category => "Integration";

    public override string Description => "Sends a mail through a mail (SMTP) communicator.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        CommunicatorEffects.Setting(SettingReference.MailCommunicator, "Mail communicator"),
        new("to", SettingKind.Template, "To", Required: true, Help: "Addresses, comma-separated; Liquid, e.g. {{ device.attributes.owner }}."),
        new("subject", SettingKind.Template, "Subject", Required: true, Help: "e.g. {{ device.name }} is at {{ temp }} °C"),
        new("text", SettingKind.Template, "Text", Required: true),
        new("html", SettingKind.Template, "HTML", Help: "An HTML body besides the text (mail programs show it instead); values are HTML-encoded."),
    ];

    public override string Summarize(JsonObject settings) => $"mail {Short(settings, "to")}";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var id = CommunicatorEffects.Id(node);
        var (to, subject, text, html) = (node.Template("to"), node.Template("subject"), node.Template("text"), node.Template("html", required: false));
        return node.Problems.Count > 0 ? null : new Runner(id!.Value, to!, subject!, text!, html);
    }

    private sealed class Runner(Guid communicator, CompiledTemplate to, CompiledTemplate subject, CompiledTemplate text, CompiledTemplate? html) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var recipients = to.Render(input).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var effect = new SendEmailEffect(communicator, call.Run.WorkflowId, recipients, subject.Render(input), text.Render(input), call.Run.EffectKey(call.NodeId))
            {
                Html = html?.RenderHtml(input),
            };
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (done?[CommunicatorEffects.ErrorMember] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fields = input.CopyFields();
            fields["mailId"] = done?["mailId"]?.DeepClone();
            return NodeResult.Out(input.WithFields(fields));
        }
    }
}

/// <summary>Sends one mail for a workflow; answers <c>mailId</c>, or <c>error</c> (one sentence, no secret).</summary>
public sealed record SendEmailEffect(Guid CommunicatorId, Guid WorkflowId, IReadOnlyList<string> To, string Subject, string Text, string? EffectKey) : IWorkflowEffect
{
    public string Kind => "SendEmail";

    public string Summary => $"send mail \"{Subject}\" to {string.Join(", ", To)}";

    /// <summary>The HTML body, its values encoded; none when null.</summary>
    public string? Html { get; init; }

    public JsonObject Describe() => new()
    {
        ["communicatorId"] = CommunicatorId, ["to"] = new JsonArray([.. To.Select(t => (JsonNode)t)]), ["subject"] = Subject, ["text"] = Text, ["html"] = Html,
    };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var usage = services.GetRequiredService<CommunicatorUsage>();
        try
        {
            var connection = await CommunicatorEffects.LoadAsync(services, WorkflowId, CommunicatorId, CommunicatorKind.Smtp, ct);
            var sent = await services.GetRequiredService<SmtpCommunicator>().SendAsync(SmtpKind.SettingsOf(connection), SmtpKind.SecretsOf(connection.Secrets),
                new MailMessageSpec { To = To, Subject = Subject, TextBody = Text, HtmlBody = Html, IdempotencyKey = EffectKey }, ct);
            await usage.RecordAsync(CommunicatorId, true, null, ct);
            return new JsonObject { ["mailId"] = sent.MessageId };
        }
        catch (CommunicatorException e)
        {
            await usage.RecordAsync(CommunicatorId, false, e.Message, ct);
            return new JsonObject { [CommunicatorEffects.ErrorMember] = $"Mail not sent: {e.Message}" };
        }
    }
}
