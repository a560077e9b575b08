using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IoTRoutes.Core.Messaging.Formats.Import;

/// <summary>A YAML text that cannot be read as JSON, with where.</summary>
public sealed class YamlJsonException(string message) : Exception(message);

/// <summary>
/// The first document of a YAML text as JSON, with the YAML 1.2 core schema's plain scalars (null, booleans, decimal,
/// 0x hex, 0o octal and 0b binary integers, floats; everything else text), numbers as JavaScript has them (doubles), as
/// the Device Repository's own tools read its files. Built from the parser's events with a stack of our own, so a deeply
/// nested text cannot overflow the call stack; anchors and aliases are copies, counted against the same bounds.
/// </summary>
public static partial class YamlJson
{
    public const int MaxDepth = 64;
    public const int MaxNodes = 100_000;

    /// <exception cref="YamlJsonException">Not YAML, or YAML that JSON cannot hold (a key that is not text, a duplicate key), or over the bounds.</exception>
    public static JsonNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<Container>();
        var anchors = new Dictionary<string, (JsonNode? Node, int Size, int Depth)>(StringComparer.Ordinal);
        var nodes = 0;
        JsonNode? root = null;
        Mark at = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                at = current.Start;
                switch (current)
                {
                    case DocumentEnd:
                        return root;
                    case Scalar scalar when open.TryPeek(out var parent) && parent.WantsKey:
                        parent.Key = scalar.Value;
                        break;
                    case Scalar scalar:
                        Count(1);
                        Place(Resolve(scalar), scalar.Anchor, size: 1, depth: 0);
                        break;
                    case SequenceStart sequence:
                        Open(new Container(new JsonArray(), sequence.Anchor));
                        break;
                    case MappingStart mapping:
                        Open(new Container(new JsonObject(), mapping.Anchor));
                        break;
                    case SequenceEnd or MappingEnd:
                        var done = open.Pop();
                        if (done.Key is not null) throw Problem(at, $"the key \"{done.Key}\" has no value");
                        Place(done.Node, done.Anchor, done.Size, done.Depth);
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out var anchored))
                        {
                            throw Problem(at, $"the alias *{alias.Value.Value} names no anchor before it");
                        }

                        if (open.TryPeek(out var holder) && holder.WantsKey) throw Problem(at, "a key must be text");
                        Count(anchored.Size);
                        Place(anchored.Node?.DeepClone(), AnchorName.Empty, anchored.Size, anchored.Depth);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw Problem(e.Start, Unpositioned(e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet's scanner throws these, without a place, on some malformed texts (an unclosed flow sequence).
            throw Problem(at, "this is not well-formed YAML (an unclosed bracket or quote?)");
        }

        return root;

        void Open(Container container)
        {
            if (open.TryPeek(out var parent) && parent.WantsKey) throw Problem(at, "a key must be text");
            if (open.Count >= MaxDepth) throw Problem(at, $"nested deeper than {MaxDepth} levels");
            Count(1);
            open.Push(container);
        }

        void Count(int size)
        {
            nodes += size;
            if (nodes > MaxNodes) throw Problem(at, $"more than {MaxNodes:N0} values");
        }

        // size and depth: what the node holds, so that an alias of it later costs what a copy costs.
        void Place(JsonNode? node, AnchorName anchor, int size, int depth)
        {
            if (open.Count + depth > MaxDepth) throw Problem(at, $"nested deeper than {MaxDepth} levels");
            if (!anchor.IsEmpty) anchors[anchor.Value] = (node, size, depth);
            if (!open.TryPeek(out var parent))
            {
                root = node;
                return;
            }

            parent.Size += size;
            parent.Depth = Math.Max(parent.Depth, depth + 1);
            if (parent.Node is JsonArray array)
            {
                array.Add(node);
                return;
            }

            var key = parent.Key!;
            parent.Key = null;
            if (!((JsonObject)parent.Node).TryAdd(key, node)) throw Problem(at, $"the key \"{key}\" appears twice");
        }
    }

    private static JsonNode? Resolve(Scalar scalar)
    {
        var tag = scalar.Tag;
        if (tag.IsEmpty || tag.Value == "?")
        {
            return scalar.Style == ScalarStyle.Plain ? Plain(scalar.Value) : JsonValue.Create(scalar.Value);
        }

        return tag.Value switch
        {
            "tag:yaml.org,2002:str" or "!" => JsonValue.Create(scalar.Value),
            "tag:yaml.org,2002:null" => null,
            "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" => Plain(scalar.Value) switch
            {
                JsonValue v when v.GetValueKind() != System.Text.Json.JsonValueKind.String => v,
                _ => throw Problem(scalar.Start, $"\"{scalar.Value}\" is not a {tag.Value[(tag.Value.LastIndexOf(':') + 1)..]}"),
            },
            _ => scalar.Style == ScalarStyle.Plain ? Plain(scalar.Value) : JsonValue.Create(scalar.Value),
        };
    }

    /// <summary>A plain scalar by the core schema; numbers become doubles, as in JavaScript.</summary>
    private static JsonNode? Plain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                return null; // no JSON number: as a script's Infinity or NaN becomes null
        }

        if (Integer().Match(text) is { Success: true } integer)
        {
            var digits = integer.Groups["digits"].Value;
            var radix = integer.Groups["radix"].Value.ToLowerInvariant() switch { "0x" => 16, "0o" => 8, "0b" => 2, _ => 10 };
            var value = radix == 10 ? double.Parse(digits, CultureInfo.InvariantCulture) : 0.0;
            if (radix != 10)
            {
                foreach (var digit in digits) value = value * radix + (char.IsAsciiDigit(digit) ? digit - '0' : char.ToLowerInvariant(digit) - 'a' + 10);
            }

            // A number too large for a double is no JSON number: kept as its text, as a float out of range is.
            return double.IsFinite(value) ? JsonValue.Create(integer.Groups["sign"].Value == "-" ? -value : value) : JsonValue.Create(text);
        }

        return Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }

    [GeneratedRegex("^(?<sign>[-+]?)(?:(?<radix>0[xX])(?<digits>[0-9a-fA-F]+)|(?<radix>0o)(?<digits>[0-7]+)|(?<radix>0b)(?<digits>[01]+)|(?<digits>[0-9]+))$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    // YamlDotNet's messages start with "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): ": we say where our way.
    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex Position();

    private static string Unpositioned(string message) => Position().Replace(message, "").TrimEnd('.');

    private static YamlJsonException Problem(Mark at, string problem) =>
        new(at.Line > 0 ? $"Line {at.Line}, column {at.Column}: {problem}." : $"{char.ToUpperInvariant(problem[0])}{problem[1..]}.");

    private sealed class Container(JsonNode node, AnchorName anchor)
    {
        public JsonNode Node { get; } = node;
        public AnchorName Anchor { get; } = anchor;
        public string? Key { get; set; }
        public int Size { get; set; } = 1;
        public int Depth { get; set; }

        /// <summary>A mapping between a value and its next key.</summary>
        public bool WantsKey => Node is JsonObject && Key is null;
    }
}
