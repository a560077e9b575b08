using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>Expressions (NCalc) and templates (Liquid) as workflows use them.</summary>
public sealed class WorkflowLanguagesTests
{
    private static readonly WorkflowItem Item = WorkflowItem.FromJson(
        JsonNode.Parse("""{"temp":31.5,"humidity":40,"mode":"eco","ok":true,"gps_1.latitude":42.35,"tags":["a","b"],"gps":{"fix":{"latitude":48.85}},"owner":"O'Neil.lab"}""")!.AsObject(),
        new DeviceContext(Guid.Parse("0190d7a4-0000-7000-8000-000000000001"), "Lab sensor", "lab-1", Guid.Empty, null, "Climate", new Dictionary<string, object?> { ["floor"] = 3.0 }),
        new MessageContext(Guid.Parse("0190d7a4-0000-7000-8000-000000000002"), "devices/lab-1/up", DateTimeOffset.UnixEpoch, null));

    [Theory]
    [InlineData("temp > 30", true)]
    [InlineData("temp > 30 && mode == 'eco'", true)]
    [InlineData("temp * 2 + humidity", 103.0)]
    [InlineData("device.name == 'Lab sensor' and device.key == 'lab-1'", true)]
    [InlineData("device.profile", "Climate")]
    [InlineData("device.attributes.floor + 1", 4.0)]
    [InlineData("message.topic", "devices/lab-1/up")]
    [InlineData("gps_1.latitude > 42", true)]
    [InlineData("pressure > 1000", false)]
    [InlineData("has('temp') && !has('pressure')", true)]
    [InlineData("round(temp, 0)", 32.0)]
    [InlineData("if(ok, 'yes', 'no')", "yes")]
    [InlineData("mode in ('eco', 'boost')", true)]
    [InlineData("'device.name'", "device.name")]
    [InlineData("2 + 3", 5.0)]
    [InlineData("gps.fix.latitude > 48", true)]
    [InlineData("gps.fix.altitude", null)]
    [InlineData("owner == 'O\\'Neil.lab'", true)]
    public void An_expression_sees_the_fields_the_device_and_the_message(string text, object? expected)
    {
        var (expression, error) = new NCalcExpressions().Compile(text);

        Assert.Null(error);
        Assert.Equal(expected, expression!.Evaluate(Item));
    }

    [Theory]
    [InlineData("temp >", "Not a valid expression")]
    [InlineData("(temp > 3", "Not a valid expression")]
    [InlineData("Exec('rm -rf')", "no function Exec")]
    [InlineData("", "needed")]
    public void An_expression_that_does_not_parse_or_calls_an_unknown_function_is_refused_when_compiled(string text, string error)
    {
        var (expression, problem) = new NCalcExpressions().Compile(text);

        Assert.Null(expression);
        Assert.Contains(error, problem);
    }

    [Fact]
    public void A_condition_that_is_not_true_or_false_is_an_error_at_run_time()
    {
        var (expression, _) = new NCalcExpressions().Compile("mode");

        var error = Assert.Throws<WorkflowExpressionException>(() => expression!.IsTrue(Item));
        Assert.Contains("not true or false", error.Message);
    }

    [Theory]
    [InlineData("{{ device.name }} is at {{ temp }} °C", "Lab sensor is at 31.5 °C")]
    [InlineData("{{ device.attributes.floor }}/{{ message.topic }}/{{ mode | upcase }}", "3/devices/lab-1/up/ECO")]
    [InlineData("{% if temp > 30 %}hot{% else %}fine{% endif %} <b>", "hot <b>")]
    [InlineData("{{ tags | join: ',' }}", "a,b")]
    public void A_template_renders_fields_device_and_message_as_plain_text(string text, string expected)
    {
        var (template, error) = new LiquidTemplates().Compile(text);

        Assert.Null(error);
        Assert.Equal(expected, template!.Render(Item));
    }

    [Fact]
    public void A_template_that_does_not_parse_is_refused_when_compiled()
    {
        var (template, error) = new LiquidTemplates().Compile("{% if temp > 30 %}hot");

        Assert.Null(template);
        Assert.Contains("Not a valid template", error);
    }
}
