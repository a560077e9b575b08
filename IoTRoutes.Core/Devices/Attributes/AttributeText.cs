using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>
/// An attribute's value as a person types it on a page: <c>3</c> is a number, <c>true</c>/<c>false</c> a boolean,
/// anything else text (<c>B12</c>); quotes keep a number as text (<c>"3"</c>). Nothing typed is no value.
/// </summary>
public static class AttributeText
{
    public static JsonNode? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            // What reads as JSON is taken as such: an object or a list is then refused by the rules, with the reason.
            return JsonNode.Parse(text) ?? JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>The value as <see cref="Parse"/> reads it back: texts that would read as something else are quoted.</summary>
    public static string Format(JsonNode? value)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var text = v.GetValue<string>();
            return Parse(text) is JsonValue back && back.GetValueKind() == JsonValueKind.String && back.GetValue<string>() == text
                ? text
                : ScalarValue.Json(JsonValue.Create(text));
        }

        return value?.ToJsonString() ?? "";
    }
}
