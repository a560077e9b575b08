using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IoTRoutes.Core.Messaging.Formats.Json;

/// <summary>Why a payload was refused, said for people, and the parser's own text for whoever needs it.</summary>
public sealed record PayloadProblem(string Reason, string? Details = null);

/// <summary>
/// Turns System.Text.Json's complaint ("'}' is an invalid start of a property name. Expected a '"'. LineNumber: 0 |
/// BytePositionInLine: 14.") into "Not valid JSON at character 15: expected a property name in double quotes." The
/// position is counted in characters from 1, as an editor shows it, and the line is given only when there are several.
/// The parser's text is kept as the details.
/// </summary>
public static partial class JsonSyntaxProblem
{
    // The parser's messages (System.Text.Json's resources) and what each means to someone who wrote the payload.
    private static readonly (Regex Pattern, string Meaning)[] Meanings =
    [
        (Says(@"is an invalid start of a property name"), "expected a property name in double quotes"),
        (Says(@"is invalid after a property name"), "expected ':' after the property name"),
        (Says(@"is invalid after a value\. Expected either ','"), "expected ',' or the end of the object or array"),
        (Says(@"is an invalid start of a value"), "expected a value (text in double quotes, a number, true, false, null, an object or an array)"),
        (Says(@"is invalid after a single JSON value"), "unexpected text after the JSON value"),
        (Says(@"Expected depth to be zero at the end"), "the payload ends before its object or array is closed"),
        (Says(@"Expected end of string, but instead reached end of data"), "the payload ends inside a text value; a closing '\"' is missing"),
        (Says(@"reached end of data"), "the payload ends too early"),
        (Says(@"is invalid within a JSON string"), "a control character (such as a line break) inside a text value must be escaped"),
        (Says(@"invalid escapable character|invalid hex character"), "a text value has an invalid escape sequence (after '\\')"),
        (Says(@"is an invalid JSON literal\. Expected the literal '(?<literal>\w+)'"), "expected the literal ${literal}"),
        (Says(@"leading zero"), "a number starts with a 0 it cannot have"),
        (Says(@"within a number|end of a number|invalid number"), "a number is not written correctly"),
        (Says(@"trailing comma"), "a comma is followed by the end of the object or array"),
        (Says(@"is invalid without a matching open"), "a closing bracket has no opening one"),
        (Says(@"maximum configured depth of (?<depth>\d+)"), "objects and arrays are nested more than ${depth} deep"),
        (Says(@"does not contain any JSON tokens"), "the payload has no JSON value, only spaces"),
    ];

    /// <summary>The problem of <paramref name="payload"/>, which the parser refused with <paramref name="error"/>.</summary>
    public static PayloadProblem Of(JsonException error, ReadOnlySpan<byte> payload)
    {
        var (where, offset) = Where(error, payload);
        var what = Meanings.Select(m => (Match: m.Pattern.Match(error.Message), m.Meaning)).FirstOrDefault(m => m.Match.Success) is
            { Match: { } match, Meaning: var meaning } ? match.Result(meaning) : null;
        var content = payload.Trim(" \t\r\n"u8);
        if (offset >= payload.TrimEnd(" \t\r\n"u8).Length && content is [(byte)'{' or (byte)'[', ..] && error.Message.Contains("end of a number", StringComparison.Ordinal))
        {
            // The parser reads a number cut by the end of the payload as a badly ended number; what is missing is the close.
            what = "the payload ends before its object or array is closed";
        }

        var reason = what is null ? $"Not valid JSON{where}." : $"Not valid JSON{where}: {what}.";
        return new PayloadProblem(reason, error.Message);
    }

    /// <summary>A member name twice in one object (JsonNode refuses it with an ArgumentException).</summary>
    public static PayloadProblem OfDuplicate(ArgumentException error) =>
        DuplicateKey().Match(error.Message) is { Success: true } match
            ? new PayloadProblem($"Not valid JSON: the property \"{match.Groups["key"].Value}\" appears twice in one object.", error.Message)
            : new PayloadProblem("Not valid JSON: a property appears twice in one object.", error.Message);

    /// <summary>" at character 15", or " on line 3 at character 7" when the payload has several lines; and the byte offset.</summary>
    private static (string Text, int Offset) Where(JsonException error, ReadOnlySpan<byte> payload)
    {
        if (error.LineNumber is not { } line || error.BytePositionInLine is not { } column)
        {
            return ("", -1);
        }

        var lineStart = 0;
        for (var l = 0L; l < line; l++)
        {
            var next = payload[lineStart..].IndexOf((byte)'\n');
            if (next < 0)
            {
                return ("", -1);
            }

            lineStart += next + 1;
        }

        var end = (int)Math.Min(lineStart + column, payload.Length);
        // Characters, not bytes: "é" is two bytes and one character. Invalid UTF-8 counts one per replacement.
        var character = Encoding.UTF8.GetCharCount(payload[lineStart..end]) + 1;
        var multiline = payload.IndexOf((byte)'\n') is var first && first >= 0 && first < payload.TrimEnd("\r\n"u8).Length;
        return (multiline ? $" on line {line + 1} at character {character}" : $" at character {character}", end);
    }

    private static Regex Says(string pattern) => new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    [GeneratedRegex(@"Key: (?<key>.+?)(?: \(Parameter|\.?$)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex DuplicateKey();
}
