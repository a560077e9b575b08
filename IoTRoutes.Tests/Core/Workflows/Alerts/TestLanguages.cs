using System.Globalization;
using System.Text.RegularExpressions;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Tests.Core.Workflows.Alerts;

/// <summary>
/// Test helpers standing in for the real languages (NCalc, Liquid) in the alert actions' tests: an "expression" is one
/// field name, a "template" replaces <c>{{ field }}</c> and <c>{{ device.name }}</c>. Nothing more is understood.
/// </summary>
internal static partial class TestLanguages
{
    public static readonly WorkflowLanguages FieldsOnly = new(new FieldExpressions(), new FieldTemplates());

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    private static partial Regex Placeholder();

    private sealed class FieldExpressions : IWorkflowExpressions
    {
        public (CompiledExpression? Expression, string? Error) Compile(string text) =>
            FieldName().IsMatch(text.Trim()) ? (new FieldExpression(text.Trim()), null) : (null, $"Test expressions are one field name, not '{text}'.");
    }

    private sealed class FieldExpression(string name) : CompiledExpression
    {
        public override string Text => name;

        public override object? Evaluate(WorkflowItem item) =>
            item.Fields.TryGetValue(name, out var value) ? value : throw new WorkflowExpressionException($"No field {name}.");
    }

    private sealed class FieldTemplates : IWorkflowTemplates
    {
        public (CompiledTemplate? Template, string? Error) Compile(string text) =>
            text.Contains("{%") ? (null, "Test templates have no tags.") : (new FieldTemplate(text), null);
    }

    private sealed class FieldTemplate(string text) : CompiledTemplate
    {
        public override string Render(WorkflowItem item) => Placeholder().Replace(text, m => m.Groups[1].Value switch
        {
            "device.name" => item.Device?.Name ?? "",
            var field => Convert.ToString(item.Field(field), CultureInfo.InvariantCulture) ?? "",
        });
    }
}
