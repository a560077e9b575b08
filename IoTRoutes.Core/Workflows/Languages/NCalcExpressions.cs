using System.Globalization;
using System.Text;
using IoTRoutes.Core.Workflows.Engine;
using NCalc;
using NCalc.Exceptions;
using NCalc.Factories;
using NCalc.Handlers;

namespace IoTRoutes.Core.Workflows.Languages;

/// <summary>
/// Expressions in NCalc (<c>temp &gt; 30 &amp;&amp; device.name != 'lab'</c>), parsed once per workflow version. Names are
/// the item's fields (<c>temp</c>, <c>gps_1.latitude</c>), <c>device.name|key|id|profile|entityId</c>,
/// <c>device.attributes.x</c>, <c>message.topic|id|receivedAt</c>; a field the message lacks is null (so <c>temp &gt; 30</c> is
/// false without a temperature; <c>has('temp')</c> tells). Numbers compute as doubles. Only NCalc's built-in functions
/// (Abs, Round, Max, if, in…, any case) and <c>has</c> exist: an expression cannot reach anything else.
/// </summary>
public sealed class NCalcExpressions : IWorkflowExpressions
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private static readonly LogicalExpressionParserOptions Parsing = new();
    internal static readonly ExpressionConfiguration Configuration = ExpressionConfiguration.FromOptions(ExpressionOptions.IgnoreCaseAtBuiltInFunctions | ExpressionOptions.NoCache);

    private static readonly HashSet<string> Functions = new(StringComparer.OrdinalIgnoreCase)
    {
        "Abs", "Acos", "Asin", "Atan", "Atan2", "Ceiling", "Cos", "Exp", "Floor", "IEEERemainder", "Ln", "Log", "Log10", "Max", "Min",
        "Pow", "Round", "Sign", "Sin", "Sqrt", "Tan", "Truncate", "if", "ifs", "in", "has",
    };

    public (CompiledExpression? Expression, string? Error) Compile(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, "An expression is needed.");
        if (text.Length > 2000) return (null, "An expression is at most 2,000 characters.");
        LogicalExpression logical;
        try
        {
            logical = LogicalExpressionFactory.Create(Names.Bracketed(text), Parsing, Culture);
        }
        catch (Exception e) when (e is NCalcParserException or FormatException or InvalidOperationException)
        {
            return (null, $"Not a valid expression: {e.Message}");
        }

        var unknown = new Expression(logical, Configuration, new ExpressionContext(), Culture, null).GetFunctionNames().FirstOrDefault(f => !Functions.Contains(f));
        return unknown is null ? (new NCalcExpression(text, logical), null) : (null, $"There is no function {unknown}.");
    }

    /// <summary>
    /// One context per expression, made once: its handlers read the item being evaluated on this thread. The expression
    /// runs as an <see cref="ExpressionPlan"/>; what the plan leaves to NCalc is evaluated with this context.
    /// </summary>
    private sealed class NCalcExpression : CompiledExpression
    {
        private readonly string _text;
        private readonly NCalcFallback _fallback = new();
        private readonly ExpressionPlan _plan;

        public NCalcExpression(string text, LogicalExpression logical)
        {
            _text = text;
            _plan = ExpressionPlan.Of(logical, _fallback);
        }

        public override string Text => _text;

        public override object? Evaluate(WorkflowItem item)
        {
            try
            {
                return Normalize(_plan.Evaluate(item, _fallback));
            }
            catch (Exception e) when (e is NCalcException or FormatException or InvalidCastException or ArgumentException or OverflowException)
            {
                throw new WorkflowExpressionException($"{_text}: {e.Message}", e);
            }
        }

        private static object? Normalize(object? value) => value switch
        {
            int i => (double)i,
            long l => (double)l,
            decimal m => (double)m,
            float f => (double)f,
            _ => value,
        };
    }

    /// <summary>NCalc's own evaluation of a part of an expression, for the item being evaluated on this thread.</summary>
    internal sealed class NCalcFallback
    {
        [ThreadStatic]
        private static WorkflowItem? t_item;

        private readonly ExpressionContext _context = new()
        {
            EvaluateParameterHandler = static (name, args) => args.Result = Names.Resolve(t_item!, name),
            EvaluateFunctionHandler = static (name, args) =>
            {
                if (!string.Equals(name, "has", StringComparison.OrdinalIgnoreCase)) return;
                if (args.Parameters.Count != 1) throw new WorkflowExpressionException("has takes one field name: has('temp').");
                args.Result = args.Parameters.Evaluate(0) is string field && Names.Resolve(t_item!, field) is not null;
            },
        };

        /// <summary>
        /// NCalc's value of <paramref name="expression"/> for <paramref name="item"/> (none for a constant part): its handlers
        /// read the item from this thread meanwhile, and the outer one after (an expression may run inside another's
        /// evaluation). Set only here, not for every evaluation: the plan seldom comes to NCalc.
        /// </summary>
        public object? Evaluate(LogicalExpression expression, WorkflowItem? item)
        {
            var outer = t_item;
            t_item = item;
            try
            {
                return expression.Accept(new NCalc.Visitors.EvaluationVisitor(_context, Configuration.Evaluation, Culture, null!, default));
            }
            finally
            {
                t_item = outer;
            }
        }
    }

    /// <summary>NCalc alone, without the plan: the reference the plan is tested against.</summary>
    internal static object? EvaluateByNCalcOnly(string text, WorkflowItem item)
    {
        var fallback = new NCalcFallback();
        return fallback.Evaluate(LogicalExpressionFactory.Create(Names.Bracketed(text), Parsing, Culture), item) switch
        {
            int i => (double)i,
            long l => (double)l,
            decimal m => (double)m,
            float f => (double)f,
            var value => value,
        };
    }
}

/// <summary>Names in expressions: dotted names bracketed for NCalc, and what a name means for an item.</summary>
internal static class Names
{
    /// <summary><c>device.name == 'x'</c> → <c>[device.name] == 'x'</c>: NCalc reads dotted names only in brackets.</summary>
    public static string Bracketed(string text)
    {
        var result = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c is '\'' or '"')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != c) end += text[end] == '\\' ? 2 : 1;
                end = Math.Min(end + 1, text.Length);
                result.Append(text, i, end - i);
                i = end;
            }
            else if (c == '[')
            {
                var end = text.IndexOf(']', i + 1);
                end = end < 0 ? text.Length : end + 1;
                result.Append(text, i, end - i);
                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || (text[i] == '.' && i + 1 < text.Length && (char.IsLetter(text[i + 1]) || text[i + 1] == '_')))) i++;
                var name = text[start..i];
                result.Append(name.Contains('.') ? $"[{name}]" : name);
            }
            else
            {
                result.Append(c);
                i++;
            }
        }

        return result.ToString();
    }

    /// <summary>What a name is worth for an item: null when the item has nothing by that name.</summary>
    public static object? Resolve(WorkflowItem item, string name)
    {
        if (name.StartsWith("device.", StringComparison.Ordinal) && item.Device is { } device)
        {
            var member = name[7..];
            return member switch
            {
                "name" => device.Name,
                "key" => device.Key,
                "id" => device.Id.ToString(),
                "profile" => device.ProfileName,
                "entityId" => device.EntityId.ToString(),
                _ when member.StartsWith("attributes.", StringComparison.Ordinal) => Value(device.Attributes.GetValueOrDefault(member[11..])),
                _ => Value(item.Field(name)),
            };
        }

        if (name.StartsWith("message.", StringComparison.Ordinal) && item.Message is { } message)
        {
            return name[8..] switch
            {
                "topic" => message.Topic,
                "id" => message.Id.ToString(),
                "receivedAt" => message.ReceivedAt.ToString("O", CultureInfo.InvariantCulture),
                _ => Value(item.Field(name)),
            };
        }

        return Value(item.Fields.TryGetValue(name, out var field) ? field : Nested(item, name));
    }

    /// <summary><c>gps_1.latitude</c> inside an object field (a decoded message keeps objects), when no field has that name.</summary>
    private static object? Nested(WorkflowItem item, string name)
    {
        var dot = name.IndexOf('.');
        if (dot <= 0 || item.Field(name[..dot]) is not System.Text.Json.Nodes.JsonObject node) return null;
        System.Text.Json.Nodes.JsonNode? current = node;
        foreach (var segment in name[(dot + 1)..].Split('.'))
        {
            current = current is System.Text.Json.Nodes.JsonObject o ? o[segment] : null;
            if (current is null) return null;
        }

        return current;
    }

    private static object? Value(object? value) => value switch
    {
        long l => (double)l,
        int i => (double)i,
        decimal m => (double)m,
        System.Text.Json.Nodes.JsonValue v => WorkflowValues.FromJson(v),
        System.Text.Json.Nodes.JsonNode n => n.ToJsonString(),
        _ => value,
    };
}
