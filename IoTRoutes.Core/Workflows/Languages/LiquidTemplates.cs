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
    internal static readonly FluidParser Parser = new();
    // Bounded: a template is user input rendered on the runner's threads.
    internal static readonly TemplateOptions Options = TemplateOptions.Default.ToBuilder()
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
        public override string Render(WorkflowItem item) => template.Render(new TemplateContext(new ItemModel(item), Options), NullEncoder.Default);

        public override string RenderHtml(WorkflowItem item) =>
            template.Render(new TemplateContext(new ItemModel(item), Options), System.Text.Encodings.Web.HtmlEncoder.Default);

        internal static object? Plain(object? value) => value switch
        {
            JsonValue v => WorkflowValues.FromJson(v),
            JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
            JsonArray a => a.Select(Plain).ToList(),
            _ => value,
        };
    }

    /// <summary>
    /// The item as Liquid sees it, read only when a name is used: its fields at the top level, <c>device</c> and
    /// <c>message</c> beside them. Building a context with every field per render cost more than the render itself.
    /// </summary>
    private sealed class ItemModel(WorkflowItem item) : IDictionary<string, object?>
    {
        public bool TryGetValue(string key, out object? value)
        {
            value = key switch
            {
                "device" when item.Device is { } device => new Dictionary<string, object?>
                {
                    ["id"] = device.Id.ToString(), ["name"] = device.Name, ["key"] = device.Key, ["profile"] = device.ProfileName,
                    ["attributes"] = device.Attributes.ToDictionary(a => a.Key, a => LiquidTemplate.Plain(a.Value)),
                },
                "message" when item.Message is { } message => new Dictionary<string, object?>
                {
                    ["id"] = message.Id.ToString(), ["topic"] = message.Topic, ["receivedAt"] = message.ReceivedAt,
                },
                _ => item.Fields.TryGetValue(key, out var field) ? LiquidTemplate.Plain(field) : null,
            };
            return value is not null || item.Fields.ContainsKey(key);
        }

        public object? this[string key]
        {
            get => TryGetValue(key, out var value) ? value : null;
            set => throw new NotSupportedException();
        }

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public ICollection<string> Keys => [.. item.Fields.Keys, "device", "message"];

        public ICollection<object?> Values => [.. Keys.Select(k => this[k])];

        public int Count => Keys.Count;

        public bool IsReadOnly => true;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Keys.Select(k => new KeyValuePair<string, object?>(k, this[k])).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void Add(string key, object? value) => throw new NotSupportedException();

        public void Add(KeyValuePair<string, object?> item) => throw new NotSupportedException();

        public bool Remove(string key) => throw new NotSupportedException();

        public bool Remove(KeyValuePair<string, object?> item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Contains(KeyValuePair<string, object?> item) => ContainsKey(item.Key);

        public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => throw new NotSupportedException();
    }
}
