using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>
/// The expression plan (common cases in C#, the rest by NCalc) against NCalc alone: the same value, or an error in both,
/// for every expression on every item.
/// </summary>
public sealed class ExpressionPlanTests
{
    private static readonly DeviceContext Device = new(Guid.Parse("0190d7a4-0000-7000-8000-000000000001"), "lab", "lab-1", Guid.Empty, null, "Climate",
        new Dictionary<string, object?> { ["floor"] = 3.0 });

    private static readonly string[] Items =
    [
        """{"t":21.5,"h":40,"neg":-3,"zero":0,"s":"abc","num":"12","b":true,"n":null,"big":1e308,"obj":{"lat":1.5}}""",
        """{"t":-41,"h":75.25,"neg":-0.5,"zero":0,"s":"","num":"x","b":false,"big":-1e308,"obj":{}}""",
        """{"t":"hot","h":null,"s":5,"b":"true","num":12}""",
        """{}""",
    ];

    public static TheoryData<string> Expressions =>
    [
        "t > 20", "h > 40", "h <= 40", "h < 40", "h >= 40", "t > -40 && has('h')", "t * 9 / 5 + 32", "h < 60", "t == 21.5", "t != 21.5", "t >= 21.5", "t <= 21", "missing > 30",
        "missing == null", "missing != 3", "s == 'abc'", "s > 'abb'", "num > 5", "num == 12", "b && t > 0", "!b", "!(t > 30)", "t / zero",
        "t % 4", "neg - t", "big * 10", "big + big", "t + s", "s + 1", "has('t')", "has('missing')", "has('obj.lat')", "obj.lat > 1",
        "device.name == 'lab'", "device.attributes.floor * 2", "t > 20 ? 'hot' : 'cold'", "if(t > 20, 1, 2)", "Max(t, h)", "Abs(neg) + 1",
        "t > 20 || missing > 3", "missing > 3 || t > 20", "zero && true", "1 + 2 * 3", "10 / 4", "7 % 3", "-t", "t in (21.5, 3)",
        "-40 < t", "t - -40", "2 * t", "n == null", "n > 1", "t == '21.5'", "b == true", "s && true", "1 / 0", "t / 0", "h - h",
        "t * 0.1 + h * 0.2 > 10", "(t + 1) * (h - 1)", "not (t > 1) or h > 1", "t > 1 and not b", "h == 40", "h == 40.0", "t <> 3",
        "round(t * 10) / 10", "t > 1e2", "0.1 + 0.2 == 0.3", "zero == -0", "neg < 0 && neg > -1",
    ];

    [Theory]
    [MemberData(nameof(Expressions))]
    public void The_plan_gives_what_NCalc_gives(string text)
    {
        var (expression, error) = new NCalcExpressions().Compile(text);
        Assert.Null(error);
        foreach (var json in Items)
        {
            var item = WorkflowItem.FromJson(JsonNode.Parse(json)!.AsObject(), Device);
            var expected = Outcome(() => NCalcExpressions.EvaluateByNCalcOnly(text, item));
            var actual = Outcome(() => expression!.Evaluate(item));
            Assert.True(Equals(expected, actual), $"{text} on {json}: NCalc gives {expected}, the plan gives {actual}");
        }
    }

    private static object? Outcome(Func<object?> evaluate)
    {
        try
        {
            return evaluate() switch
            {
                null => "(null)",
                var value => $"{value.GetType().Name}:{value}",
            };
        }
        catch (Exception e)
        {
            // The plan wraps what NCalc throws; compare what went wrong underneath.
            return "error:" + (e is WorkflowExpressionException { InnerException: { } inner } ? inner.GetType().Name : e.GetType().Name);
        }
    }
}
