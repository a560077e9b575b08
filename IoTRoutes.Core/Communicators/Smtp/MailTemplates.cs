using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Fluid;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;

namespace IoTRoutes.Core.Communicators.Smtp;

/// <summary>
/// A mail's subject, text and HTML bodies as Liquid templates (the workflows' parser and limits), over
/// <c>alert</c>, <c>device</c> and <c>fields</c> (each field also by its own name, as in workflow templates). Values are
/// HTML-encoded in the HTML body only: a field holding "&lt;b&gt;" shows as text there, as it is in the text body.
/// </summary>
public sealed class MailTemplates
{
    public const int MaxTemplateLength = 100_000;

    /// <summary>The three templates parsed, or what is wrong with each (field name -> sentence).</summary>
    public (CompiledMailTemplate? Template, IReadOnlyDictionary<string, string[]> Problems) Compile(string subject, string? textBody, string? htmlBody)
    {
        var problems = new SettingsProblems();
        var parsed = new IFluidTemplate?[3];
        foreach (var (index, field, text) in new[] { (0, "subject", subject), (1, "textBody", textBody), (2, "htmlBody", htmlBody) })
        {
            if (text is null) continue;
            if (text.Length > MaxTemplateLength) problems.Add(field, $"A template is at most {MaxTemplateLength:N0} characters.");
            else if (LiquidTemplates.Parser.TryParse(text, out var template, out var error)) parsed[index] = template;
            else problems.Add(field, $"Not a valid template: {error}");
        }

        if (textBody is null && htmlBody is null) problems.Add("textBody", "A text or HTML body is required.");
        var all = problems.ToDictionary();
        return all.Count > 0 ? (null, all) : (new CompiledMailTemplate(parsed[0]!, parsed[1], parsed[2]), all);
    }
}

/// <summary>Mail templates ready to render, once per mail.</summary>
public sealed class CompiledMailTemplate
{
    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate? _text;
    private readonly IFluidTemplate? _html;

    internal CompiledMailTemplate(IFluidTemplate subject, IFluidTemplate? text, IFluidTemplate? html)
    {
        _subject = subject;
        _text = text;
        _html = html;
    }

    /// <summary>The mail for this model; a template that exceeds the limits (steps, output) throws a <see cref="CommunicatorException"/>.</summary>
    public RenderedMail Render(MailTemplateModel model)
    {
        var values = model.ToLiquid();
        try
        {
            return new RenderedMail(
                _subject.Render(new TemplateContext(values, LiquidTemplates.Options), NullEncoder.Default),
                _text?.Render(new TemplateContext(values, LiquidTemplates.Options), NullEncoder.Default),
                _html?.Render(new TemplateContext(values, LiquidTemplates.Options), HtmlEncoder.Default));
        }
        catch (InvalidOperationException e)
        {
            throw new CommunicatorException(ConnectionFailure.Other, $"The mail template could not be rendered: {e.Message}", e);
        }
    }
}

/// <summary>What a mail template sees. Values are text, numbers, booleans, times, JSON, or dictionaries and lists of them.</summary>
public sealed record MailTemplateModel(
    IReadOnlyDictionary<string, object?> Fields,
    IReadOnlyDictionary<string, object?>? Alert = null,
    IReadOnlyDictionary<string, object?>? Device = null)
{
    internal Dictionary<string, object?> ToLiquid()
    {
        var fields = Fields.ToDictionary(f => f.Key, f => Plain(f.Value));
        var values = new Dictionary<string, object?>(fields)
        {
            ["fields"] = fields,
            ["alert"] = Alert?.ToDictionary(a => a.Key, a => Plain(a.Value)),
            ["device"] = Device?.ToDictionary(d => d.Key, d => Plain(d.Value)),
        };
        return values;
    }

    private static object? Plain(object? value) => value switch
    {
        JsonValue v => WorkflowValues.FromJson(v),
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        IReadOnlyDictionary<string, object?> d => d.ToDictionary(p => p.Key, p => Plain(p.Value)),
        _ => value,
    };
}

public sealed record RenderedMail(string Subject, string? TextBody, string? HtmlBody);
