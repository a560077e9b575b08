using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// One node being compiled: its settings, read through helpers that report each problem at the setting it is about,
/// and the languages its settings may be written in. Problems keep the node from being published.
/// </summary>
public sealed class NodeCompilation(WorkflowNode node, WorkflowLanguages languages, IServiceProvider services)
{
    private readonly List<WorkflowProblem> _problems = [];

    public WorkflowNode Node { get; } = node;

    public JsonObject Settings => Node.Settings;

    public WorkflowLanguages Languages { get; } = languages;

    /// <summary>For an action that needs a service of the platform (alerts, commands) when it runs.</summary>
    public IServiceProvider Services { get; } = services;

    public IReadOnlyList<WorkflowProblem> Problems => _problems;

    public void Problem(string setting, string message) => _problems.Add(new WorkflowProblem(Node.Id, setting, message));

    public string? Text(string name, bool required = false, int max = 1000)
    {
        switch (Settings[name])
        {
            case null when required:
                Problem(name, "Required.");
                return null;
            case null:
                return null;
            case JsonValue value when value.TryGetValue<string>(out var text):
                if (required && string.IsNullOrWhiteSpace(text)) Problem(name, "Required.");
                else if (text.Length > max) Problem(name, $"At most {max:N0} characters.");
                else return text;
                return null;
            default:
                Problem(name, "A text is expected.");
                return null;
        }
    }

    public double? Number(string name, bool required = false, double min = double.MinValue, double max = double.MaxValue)
    {
        var node = Settings[name];
        if (node is null)
        {
            if (required) Problem(name, "Required.");
            return null;
        }

        double number;
        if (node is JsonValue value && value.TryGetValue<double>(out var n)) number = n;
        else if (node is JsonValue text && text.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) number = parsed;
        else
        {
            Problem(name, "A number is expected.");
            return null;
        }

        if (!double.IsFinite(number) || number < min || number > max)
        {
            Problem(name, $"Between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return number;
    }

    public int? Integer(string name, bool required = false, int min = int.MinValue, int max = int.MaxValue) =>
        Number(name, required, min, max) is { } n ? (n == Math.Floor(n) ? (int)n : Invalid<int?>(name, "A whole number is expected.")) : null;

    public bool Boolean(string name, bool fallback = false) => Settings[name] switch
    {
        null => fallback,
        JsonValue value when value.TryGetValue<bool>(out var b) => b,
        _ => Invalid<bool>(name, "true or false is expected."),
    };

    public T? Choice<T>(string name, bool required = false) where T : struct, Enum
    {
        var text = Text(name, required, 64);
        if (text is null) return null;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value)) return value;
        Problem(name, $"One of {string.Join(", ", Enum.GetNames<T>())}.");
        return null;
    }

    public JsonArray? Array(string name, bool required = false)
    {
        switch (Settings[name])
        {
            case null when required:
                Problem(name, "Required.");
                return null;
            case null:
                return null;
            case JsonArray array:
                return array;
            default:
                Problem(name, "A list is expected.");
                return null;
        }
    }

    /// <summary>An expression, parsed now: a syntax error is a problem at the setting.</summary>
    public CompiledExpression? Expression(string name, bool required = true)
    {
        var text = Text(name, required);
        if (string.IsNullOrWhiteSpace(text)) return null;
        var (expression, error) = Languages.Expressions.Compile(text);
        if (error is not null) Problem(name, error);
        return expression;
    }

    /// <summary>A text template (Liquid), parsed now.</summary>
    public CompiledTemplate? Template(string name, bool required = true)
    {
        var text = Text(name, required, 10_000);
        if (text is null) return null;
        var (template, error) = Languages.Templates.Compile(text);
        if (error is not null) Problem(name, error);
        return template;
    }

    /// <summary>A duration in seconds (a number) or as text (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>).</summary>
    public TimeSpan? Duration(string name, bool required, TimeSpan min, TimeSpan max)
    {
        var node = Settings[name];
        if (node is null)
        {
            if (required) Problem(name, "Required.");
            return null;
        }

        TimeSpan? duration = node is JsonValue v && v.TryGetValue<double>(out var seconds) ? TimeSpan.FromSeconds(seconds)
            : node is JsonValue t && t.TryGetValue<string>(out var text) ? ParseDuration(text) : null;
        if (duration is null)
        {
            Problem(name, "A duration: seconds, or 500ms, 30s, 5m, 2h.");
            return null;
        }

        if (duration < min || duration > max)
        {
            Problem(name, $"Between {min} and {max}.");
            return null;
        }

        return duration;
    }

    /// <summary>A duration as text: seconds (<c>30</c>), or with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>); null when it is not one.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : text.EndsWith('d') ? (text[..^1], 86400.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && n >= 0
            ? TimeSpan.FromSeconds(n * unit)
            : null;
    }

    private T Invalid<T>(string name, string message)
    {
        Problem(name, message);
        return default!;
    }
}

/// <summary>A problem that keeps a workflow from being published, on the node (and setting) it is about.</summary>
/// <param name="NodeId">Null for a problem of the whole graph.</param>
/// <param name="Setting">The setting, <c>links</c>, or null.</param>
public sealed record WorkflowProblem(string? NodeId, string? Setting, string Message);

/// <summary>The languages settings are written in: expressions (conditions, computed fields) and text templates.</summary>
public sealed record WorkflowLanguages(IWorkflowExpressions Expressions, IWorkflowTemplates Templates);

/// <summary>Expressions (NCalc): <c>temp &gt; 30 &amp;&amp; device.name != 'lab'</c>, compiled once per workflow version.</summary>
public interface IWorkflowExpressions
{
    (CompiledExpression? Expression, string? Error) Compile(string text);
}

/// <summary>An expression ready to evaluate against an item; safe to use from several runs at once.</summary>
public abstract class CompiledExpression
{
    public abstract string Text { get; }

    /// <summary>The value, or an <see cref="WorkflowExpressionException"/> saying what went wrong.</summary>
    public abstract object? Evaluate(WorkflowItem item);

    public bool IsTrue(WorkflowItem item) => Evaluate(item) switch
    {
        bool b => b,
        null => false,
        var other => throw new WorkflowExpressionException($"{Text} gave {other}, not true or false."),
    };
}

/// <summary>Text templates (Liquid): <c>{{ device.name }} is at {{ temp }} °C</c>.</summary>
public interface IWorkflowTemplates
{
    (CompiledTemplate? Template, string? Error) Compile(string text);
}

public abstract class CompiledTemplate
{
    public abstract string Render(WorkflowItem item);

    /// <summary>As <see cref="Render"/>, each value HTML-encoded (the template's own markup kept): a mail's HTML body.</summary>
    public virtual string RenderHtml(WorkflowItem item) => System.Net.WebUtility.HtmlEncode(Render(item));
}

/// <summary>An expression that could not be evaluated for an item (a missing field, a type mismatch).</summary>
public sealed class WorkflowExpressionException(string message, Exception? inner = null) : Exception(message, inner);
