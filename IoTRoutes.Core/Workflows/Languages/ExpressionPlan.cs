using System.Globalization;
using IoTRoutes.Core.Workflows.Engine;
using NCalc;
using NCalcFallback = IoTRoutes.Core.Workflows.Languages.NCalcExpressions.NCalcFallback;

namespace IoTRoutes.Core.Workflows.Languages;

/// <summary>
/// A parsed NCalc expression made into a tree of evaluators, once per workflow version: the cases every message meets
/// (names, numbers compared and computed as finite doubles, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, <c>has</c>, constant
/// parts) in plain C#, and every other case (nulls, texts, mixed types, functions, a result that is not finite) by
/// NCalc's own evaluation of that part, so the result is always NCalc's (a test compares both on many inputs).
/// </summary>
/// <remarks>
/// NCalc's visitor allocates event arguments and a second visitor for every operator; in a five-node workflow it was
/// a fifth of the runner's time per message (docs/benchmarks.md).
/// </remarks>
internal abstract class ExpressionPlan
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public abstract object? Evaluate(WorkflowItem item, NCalcFallback fallback);

    /// <summary>The plan of <paramref name="expression"/>.</summary>
    public static ExpressionPlan Of(LogicalExpression expression, NCalcFallback fallback)
    {
        if (IsConstant(expression) && TryEvaluateOnce(expression, fallback, out var value)) return new Constant(expression, value);
        return expression switch
        {
            Identifier identifier => new Name(identifier.Name),
            BinaryExpression { Type: BinaryExpressionType.And or BinaryExpressionType.Or } b =>
                new Logical(b.Type == BinaryExpressionType.And, Of(b.LeftExpression, fallback), Of(b.RightExpression, fallback)),
            BinaryExpression b when Numeric.Applies(b.Type) => new Numeric(b, Of(b.LeftExpression, fallback), Of(b.RightExpression, fallback)),
            UnaryExpression { Type: UnaryExpressionType.Not } u => new Not(Of(u.Expression, fallback)),
            Function { Parameters: [ValueExpression { Value: string field }] } f when string.Equals(f.Identifier.Name, "has", StringComparison.OrdinalIgnoreCase) => new Has(field),
            TernaryExpression t => new Ternary(Of(t.LeftExpression, fallback), Of(t.MiddleExpression, fallback), Of(t.RightExpression, fallback)),
            _ => new ByNCalc(expression),
        };
    }

    private static bool IsConstant(LogicalExpression expression) => expression switch
    {
        ValueExpression => true,
        BinaryExpression b => IsConstant(b.LeftExpression) && IsConstant(b.RightExpression),
        UnaryExpression u => IsConstant(u.Expression),
        TernaryExpression t => IsConstant(t.LeftExpression) && IsConstant(t.MiddleExpression) && IsConstant(t.RightExpression),
        _ => false,
    };

    /// <summary>A part without names or functions, worked out by NCalc at compile time; one that fails stays to fail at run time.</summary>
    private static bool TryEvaluateOnce(LogicalExpression expression, NCalcFallback fallback, out object? value)
    {
        try
        {
            value = fallback.Evaluate(expression, null);
            return true;
        }
        catch (Exception e) when (e is NCalc.Exceptions.NCalcException or FormatException or InvalidCastException or ArgumentException or OverflowException or DivideByZeroException)
        {
            value = null;
            return false;
        }
    }

    private static object Box(bool value) => WorkflowValues.Box(value);

    private static bool ToBoolean(object? value) => value is bool b ? b : Convert.ToBoolean(value, Culture);

    /// <summary>A constant: numbers also kept as a double for the fast path (NCalc would widen them against a double).</summary>
    private sealed class Constant(LogicalExpression source, object? value) : ExpressionPlan
    {
        public LogicalExpression Source { get; } = source;
        public object? Value { get; } = value;

        public double? AsDouble { get; } = value switch
        {
            double d when double.IsFinite(d) => d,
            int i => i,
            long l => l,
            _ => null,
        };

        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => Value;
    }

    private sealed class Name(string name) : ExpressionPlan
    {
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => Names.Resolve(item, name);
    }

    private sealed class Has(string field) : ExpressionPlan
    {
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => Box(Names.Resolve(item, field) is not null);
    }

    private sealed class Logical(bool and, ExpressionPlan left, ExpressionPlan right) : ExpressionPlan
    {
        // As NCalc: each side converted to a boolean, the right one only when needed.
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => and
            ? Box(ToBoolean(left.Evaluate(item, fallback)) && ToBoolean(right.Evaluate(item, fallback)))
            : Box(ToBoolean(left.Evaluate(item, fallback)) || ToBoolean(right.Evaluate(item, fallback)));
    }

    private sealed class Not(ExpressionPlan operand) : ExpressionPlan
    {
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => Box(!ToBoolean(operand.Evaluate(item, fallback)));
    }

    private sealed class Ternary(ExpressionPlan condition, ExpressionPlan then, ExpressionPlan otherwise) : ExpressionPlan
    {
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) =>
            ToBoolean(condition.Evaluate(item, fallback)) ? then.Evaluate(item, fallback) : otherwise.Evaluate(item, fallback);
    }

    /// <summary>Comparisons and arithmetic: on two finite doubles here, otherwise NCalc's own operator on the same values.</summary>
    private sealed class Numeric(BinaryExpression source, ExpressionPlan left, ExpressionPlan right) : ExpressionPlan
    {
        public static bool Applies(BinaryExpressionType type) => type is BinaryExpressionType.Equal or BinaryExpressionType.NotEqual
            or BinaryExpressionType.Greater or BinaryExpressionType.GreaterOrEqual or BinaryExpressionType.Lesser or BinaryExpressionType.LesserOrEqual
            or BinaryExpressionType.Plus or BinaryExpressionType.Minus or BinaryExpressionType.Times or BinaryExpressionType.Div or BinaryExpressionType.Modulo;

        private readonly double? _leftConstant = (left as Constant)?.AsDouble;
        private readonly double? _rightConstant = (right as Constant)?.AsDouble;

        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback)
        {
            var a = left.Evaluate(item, fallback);
            var b = right.Evaluate(item, fallback);
            if (Finite(a, _leftConstant) is { } x && Finite(b, _rightConstant) is { } y)
            {
                switch (source.Type)
                {
                    case BinaryExpressionType.Equal: return Box(x == y);
                    case BinaryExpressionType.NotEqual: return Box(x != y);
                    case BinaryExpressionType.Greater: return Box(x > y);
                    case BinaryExpressionType.GreaterOrEqual: return Box(x >= y);
                    case BinaryExpressionType.Lesser: return Box(x < y);
                    case BinaryExpressionType.LesserOrEqual: return Box(x <= y);
                }

                var result = source.Type switch
                {
                    BinaryExpressionType.Plus => x + y,
                    BinaryExpressionType.Minus => x - y,
                    BinaryExpressionType.Times => x * y,
                    BinaryExpressionType.Div => x / y,
                    _ => x % y,
                };
                if (double.IsFinite(result)) return result;
            }

            // NCalc's own operator: the two sides are worked out again (expressions have no side effects).
            return fallback.Evaluate(source, item);
        }

        // A double from a name, or a constant number (widened as NCalc widens it against a double).
        private static double? Finite(object? value, double? constant) => value switch
        {
            double d when double.IsFinite(d) => d,
            _ => constant,
        };
    }

    private sealed class ByNCalc(LogicalExpression source) : ExpressionPlan
    {
        public override object? Evaluate(WorkflowItem item, NCalcFallback fallback) => fallback.Evaluate(source, item);
    }
}
