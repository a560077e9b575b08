using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// Reads a format as the API takes it: the common fields, and the kind's settings either under <c>settings</c> or at
/// the top level beside them (<c>{"name":"t","kind":"Json","fields":[...]}</c>), as the issue's examples write it.
/// </summary>
public static class FormatRequestReader
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "kind", "exchangeType", "topicPattern", "discriminator", "fPort", "testCases", "entityId", "settings",
    };

    public static (FormatDefinition? Definition, Dictionary<string, string[]> Errors) Read(JsonObject body)
    {
        var errors = new Dictionary<string, string[]>();
        T? Field<T>(string name)
        {
            var node = body.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            try
            {
                return node is null ? default : node.Deserialize<T>(FormatCompiler.SettingsJson);
            }
            catch (JsonException e)
            {
                errors[name] = [Explain(name, e)];
                return default;
            }
        }

        var settings = Field<JsonObject>("settings") ?? [];
        foreach (var (key, value) in body.Where(p => !Common.Contains(p.Key)))
        {
            settings[key] = value?.DeepClone();
        }

        var definition = new FormatDefinition(
            Field<string>("name"), Field<FormatKind?>("kind"), Field<ExchangeType?>("exchangeType"), Field<string>("topicPattern"),
            Field<Discriminator>("discriminator"), Field<int?>("fPort"), settings, Field<List<FormatTestCase>>("testCases"), Field<Guid?>("entityId"));
        return errors.Count > 0 ? (null, errors) : (definition, errors);
    }

    private static string Explain(string name, JsonException e) => name switch
    {
        "kind" => "The kind is one of Json, Delimited, Binary, CayenneLpp, Script.",
        "exchangeType" => "The exchange type is one of Telemetry, Event, Media, Command, CommandReply.",
        _ => $"Unreadable {name}: {e.Message.Split(". Path:")[0]}",
    };
}
