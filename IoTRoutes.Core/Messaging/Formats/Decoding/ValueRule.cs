using System.Globalization;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Decoding;

/// <summary>The type a mapped field is read as.</summary>
public enum FieldType
{
    Number,
    Integer,
    String,
    Boolean,
}

/// <summary>
/// How one source value becomes a field: its type, then <c>value × scale + offset</c> for numbers (Kaitai's value
/// instance), its unit, and whether a message without it is rejected.
/// </summary>
public sealed record ValueRule(string Name, FieldType Type = FieldType.Number, double Scale = 1, double Offset = 0, string? Unit = null, bool Required = false)
{
    /// <summary>The field's value from a number, or an error.</summary>
    public (JsonNode? Value, string? Error) FromNumber(double raw) => !double.IsFinite(raw * Scale + Offset)
        ? (null, $"\"{Name}\": the value is not a finite number.")
        : Type switch
    {
        FieldType.String => (JsonValue.Create(raw.ToString(CultureInfo.InvariantCulture)), null),
        FieldType.Boolean => (JsonValue.Create(raw != 0), null),
        FieldType.Integer => (JsonValue.Create((long)Math.Round(raw * Scale + Offset)), null),
        _ => (JsonValue.Create(Scaled(raw)), null),
    };

    /// <summary>The field's value from text (CSV, key=value, a JSON string), or an error naming the field.</summary>
    public (JsonNode? Value, string? Error) FromText(string text)
    {
        text = text.Trim();
        switch (Type)
        {
            case FieldType.String:
                return (JsonValue.Create(text), null);
            case FieldType.Boolean:
                return text.ToLowerInvariant() switch
                {
                    "true" or "1" or "on" or "yes" => (JsonValue.Create(true), null),
                    "false" or "0" or "off" or "no" => (JsonValue.Create(false), null),
                    _ => (null, $"\"{Name}\": \"{text}\" is not a boolean."),
                };
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? FromNumber(number)
                    : (null, $"\"{Name}\": \"{text}\" is not a number.");
        }
    }

    /// <summary>The field's value from a JSON value, or an error naming the field.</summary>
    public (JsonNode? Value, string? Error) FromJson(JsonNode node)
    {
        if (node is not JsonValue value)
        {
            return (null, $"\"{Name}\": expected a {Type.ToString().ToLowerInvariant()}, found {node.GetValueKind().ToString().ToLowerInvariant()}.");
        }

        return value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.Number => value.TryGetValue<double>(out var d) ? FromNumber(d) : (null, $"\"{Name}\": not a number."),
            System.Text.Json.JsonValueKind.String => FromText(value.GetValue<string>()),
            System.Text.Json.JsonValueKind.True => Type is FieldType.Boolean or FieldType.String ? FromText("true") : (null, $"\"{Name}\": expected a {TypeName}, found a boolean."),
            System.Text.Json.JsonValueKind.False => Type is FieldType.Boolean or FieldType.String ? FromText("false") : (null, $"\"{Name}\": expected a {TypeName}, found a boolean."),
            _ => (null, $"\"{Name}\": expected a {TypeName}, found null."),
        };
    }

    /// <summary>The same from an element of a parsed document.</summary>
    public (JsonNode? Value, string? Error) FromJson(System.Text.Json.JsonElement element) => element.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Number => element.TryGetDouble(out var d) ? FromNumber(d) : (null, $"\"{Name}\": not a number."),
        System.Text.Json.JsonValueKind.String => FromText(element.GetString()!),
        System.Text.Json.JsonValueKind.True => Type is FieldType.Boolean or FieldType.String ? FromText("true") : (null, $"\"{Name}\": expected a {TypeName}, found a boolean."),
        System.Text.Json.JsonValueKind.False => Type is FieldType.Boolean or FieldType.String ? FromText("false") : (null, $"\"{Name}\": expected a {TypeName}, found a boolean."),
        System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Array =>
            (null, $"\"{Name}\": expected a {TypeName}, found {element.ValueKind.ToString().ToLowerInvariant()}."),
        _ => (null, $"\"{Name}\": expected a {TypeName}, found null."),
    };

    private string TypeName => Type.ToString().ToLowerInvariant();

    private double Scaled(double raw) =>
        Scale == 1 && Offset == 0 ? raw : Math.Round(raw * Scale + Offset, 12); // 272 × 0.1 is 27.2, not 27.200000000000003
}
