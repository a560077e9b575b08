using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Core.Messaging.Explorer;

public enum FieldOperator
{
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
    Exists,
}

/// <summary>
/// A condition on one decoded field of a message (its name as the message's fields list shows it: <c>temperature</c>,
/// <c>air.temperature</c>): numbers compare as numbers, everything else as text (any case).
/// </summary>
public sealed record FieldCondition(string Field, FieldOperator Operator, string? Value)
{
    public const int MaxFieldLength = 200;
    public const int MaxValueLength = 1024;

    private double? Number => double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The condition, or the errors of its three parameters (field, op, value).</summary>
    public static (FieldCondition? Condition, Dictionary<string, string[]> Errors) Parse(string? field, string? op, string? value)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(field))
        {
            if (!string.IsNullOrEmpty(op) || !string.IsNullOrEmpty(value))
            {
                errors["field"] = ["field names the decoded field that op and value test."];
            }

            return (null, errors);
        }

        if (field.Length > MaxFieldLength)
        {
            errors["field"] = [$"field has at most {MaxFieldLength} characters."];
        }

        var parsed = FieldOperator.Eq;
        if (!string.IsNullOrEmpty(op) && !Enum.TryParse(op, ignoreCase: true, out parsed) || !Enum.IsDefined(parsed))
        {
            errors["op"] = [$"op is one of {string.Join(", ", Enum.GetNames<FieldOperator>().Select(n => n.ToLowerInvariant()))}."];
        }

        var condition = new FieldCondition(field.Trim(), parsed, value);
        if (parsed != FieldOperator.Exists && value is null)
        {
            errors["value"] = [$"value is needed for op {parsed.ToString().ToLowerInvariant()}."];
        }
        else if (value is { Length: > MaxValueLength })
        {
            errors["value"] = [$"value has at most {MaxValueLength} characters."];
        }
        else if (parsed is FieldOperator.Gt or FieldOperator.Ge or FieldOperator.Lt or FieldOperator.Le && condition.Number is null)
        {
            errors["value"] = [$"value must be a number for op {parsed.ToString().ToLowerInvariant()}."];
        }

        return errors.Count == 0 ? (condition, errors) : (null, errors);
    }

    /// <summary>
    /// A text the stored JSON must contain for the field to be there (its last name part, quoted), used to skip rows in the
    /// database; null when the name could be written escaped in JSON, so no such shortcut is safe.
    /// </summary>
    public string? StoredKey
    {
        get
        {
            var key = Field[(Field.LastIndexOf('.') + 1)..];
            return key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? $"\"{key}\"" : null;
        }
    }

    public bool Matches(IReadOnlyList<FieldDto> fields)
    {
        var field = fields.FirstOrDefault(f => string.Equals(f.Name, Field, StringComparison.Ordinal));
        if (field is null)
        {
            return false; // a message without the field matches no condition on it, ne included (as NULL in SQL)
        }

        if (Operator == FieldOperator.Exists)
        {
            return true;
        }

        if (field.Value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && Number is { } wanted)
        {
            var actual = v.GetValue<double>();
            return Operator switch
            {
                FieldOperator.Eq => actual == wanted,
                FieldOperator.Ne => actual != wanted,
                FieldOperator.Gt => actual > wanted,
                FieldOperator.Ge => actual >= wanted,
                FieldOperator.Lt => actual < wanted,
                FieldOperator.Le => actual <= wanted,
                _ => Text(field.Value).Contains(Value!, StringComparison.OrdinalIgnoreCase),
            };
        }

        var text = Text(field.Value);
        return Operator switch
        {
            FieldOperator.Eq => string.Equals(text, Value, StringComparison.OrdinalIgnoreCase),
            FieldOperator.Ne => !string.Equals(text, Value, StringComparison.OrdinalIgnoreCase),
            FieldOperator.Contains => text.Contains(Value!, StringComparison.OrdinalIgnoreCase),
            _ => false, // an order needs a number on both sides
        };
    }

    private static string Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "null";

    public override string ToString() => Operator == FieldOperator.Exists ? $"{Field} exists" : $"{Field} {Operator.ToString().ToLowerInvariant()} {Value}";
}
