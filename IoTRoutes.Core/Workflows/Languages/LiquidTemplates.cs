using System.Text.Json.Nodes;
using Fluid;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Workflows.Languages;

/// <summary>
/// Text templates in Liquid (Fluid): <c>{{ device.name }} is at {{ temp }} °C</c>. The item's fields are top-level names,
/// <c>device</c> and <c>message</c> objects beside them; output is plain text (no HTML encoding: alert texts, e-mail
/// subjects). Parsed once per workflow version.
/// </summary>
public sealed class LiquidTemplates : IWorkflowTemplates
{
    private static readonly FluidParser Parser = new();
    // Bounded: a template is user input rendered on the runner's threads.
    private static readonly TemplateOptions Options = TemplateOptions.Default.ToBuilder()
        .WithMaxSteps(100_000).WithMaxOutputSize(100_000).WithMaxCollectionSize(10_000).WithMaxRecursion(20)
        .WithCultureInfo(System.Globalization.CultureInfo.InvariantCulture).Build();

    public (CompiledTemplate? Template, string? Error) Compile(string text)
    {
        if (text.Length > 10_000) return (null, "A template is at most 10,000 characters.");
        return Parser.TryParse(text, out var template, out var error)
            ? (new LiquidTemplate(template), null)
            : (null, $"Not a valid template: {error}");
    }

    private sealed class LiquidTemplate(IFluidTemplate template) : CompiledTemplate
    {
        public override string Render(WorkflowItem item)
        {
            var context = new TemplateContext(Options);
            foreach (var (name, value) in item.Fields)
            {
                context.SetValue(name, Plain(value)!);
            }

            if (item.Device is { } device)
            {
                context.SetValue("device", new Dictionary<string, object?>
                {
                    ["id"] = device.Id.ToString(), ["name"] = device.Name, ["key"] = device.Key, ["profile"] = device.ProfileName,
                    ["attributes"] = device.Attributes.ToDictionary(a => a.Key, a => Plain(a.Value)),
                });
            }

            if (item.Message is { } message)
            {
                context.SetValue("message", new Dictionary<string, object?>
                {
                    ["id"] = message.Id.ToString(), ["topic"] = message.Topic, ["receivedAt"] = message.ReceivedAt,
                });
            }

            return template.Render(context, NullEncoder.Default);
        }

        private static object? Plain(object? value) => value switch
        {
            JsonValue v => WorkflowValues.FromJson(v),
            JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
            JsonArray a => a.Select(Plain).ToList(),
            _ => value,
        };
    }
}
