using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Import;

/// <summary>
/// A Device Repository codec to import as a Script format: its script (<c>&lt;name&gt;.js</c>) and its codec file
/// (<c>&lt;name&gt;-codec.yaml</c>), and the format's common part. Defaults: the name of the codec's script file, Telemetry,
/// any topic, the port of the first example that decodes.
/// </summary>
public sealed record CodecImportRequest(
    string? Name, string? Script, string? CodecYaml, ExchangeType? ExchangeType = null, string? TopicPattern = null, int? FPort = null, Guid? EntityId = null)
{
    private static readonly string[] Fields = ["name", "script", "codecYaml", "exchangeType", "topicPattern", "fPort", "entityId"];

    /// <summary>The request as the API takes it, read strictly: an unknown or mistyped field is an error at its name.</summary>
    public static (CodecImportRequest? Request, Dictionary<string, string[]> Errors) Read(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (key, _) in body.Where(p => !Fields.Contains(p.Key, StringComparer.OrdinalIgnoreCase)))
        {
            errors[key] = [$"Unknown field: an import takes {string.Join(", ", Fields)}."];
        }

        T? Field<T>(string name)
        {
            var node = body.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            try
            {
                return node is null ? default : node.Deserialize<T>(FormatCompiler.SettingsJson);
            }
            catch (JsonException)
            {
                errors[name] = [name == "exchangeType" ? "The exchange type is one of Telemetry, Event, Media, Command, CommandReply." : $"Unreadable {name}."];
                return default;
            }
        }

        var request = new CodecImportRequest(Field<string>("name"), Field<string>("script"), Field<string>("codecYaml"), Field<ExchangeType?>("exchangeType"),
            Field<string>("topicPattern"), Field<int?>("fPort"), Field<Guid?>("entityId"));
        return errors.Count > 0 ? (null, errors) : (request, errors);
    }
}

/// <summary>What an import did: the change (the new format's id, or the field errors), the format with its test results, and what was left out.</summary>
public sealed record CodecImportResult(ChangeResult Change, FormatDto? Format, IReadOnlyList<string> Warnings);
