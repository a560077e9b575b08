using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IoTRoutes.Core.Devices.Attributes;

/// <summary>What a device attribute may be: its key, its value, how many a device holds.</summary>
public static partial class AttributeRules
{
    public const int MaxKeyLength = 64;
    public const int MaxTextLength = 1000;
    public const int MaxPerDevice = 100;
    public const int MaxUpdatedByLength = 256;

    /// <summary>The value column: a text of <see cref="MaxTextLength"/> whose every character is escaped (<c>\"</c>), in quotes.</summary>
    public const int MaxJsonLength = 2 * MaxTextLength + 2;

    // Workflows read an attribute as device.attributes.<key>, in expressions and templates: a key is a plain name.
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyPattern();

    public static string? CheckKey(string? key) => key switch
    {
        null or "" => "Give the attribute a key.",
        { Length: > MaxKeyLength } => $"An attribute key has at most {MaxKeyLength} characters.",
        _ when !KeyPattern().IsMatch(key) =>
            "An attribute key starts with a letter or _ and has only letters, digits and _ (floor, max_temp): workflows read it as device.attributes.<key>.",
        _ => null,
    };

    /// <summary>The value as stored (JSON text), or why it cannot be an attribute's value.</summary>
    public static (string? Json, string? Problem) CheckValue(JsonNode? value) => Stored(ScalarValue.Check(value, MaxTextLength));

    /// <summary>A value a workflow computed, checked the same way.</summary>
    public static (string? Json, string? Problem) CheckValue(object? value) => Stored(ScalarValue.Check(value, MaxTextLength));

    private static (string?, string?) Stored((JsonValue? Value, string? Problem) checkedValue) =>
        checkedValue.Value is { } v ? (ScalarValue.Json(v), null) : (null, checkedValue.Problem);
}
