using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Web.Components.Pages.Formats;

/// <summary>What a new format of each kind starts with in the editor, and a sample it decodes, so the try-it panel has something to show.</summary>
internal static class FormatTemplates
{
    public static string SettingsOf(FormatKind kind) => kind switch
    {
        FormatKind.Json => """
            {
              "fields": [
                { "path": "$.temperature", "name": "temperature", "unit": "°C" },
                { "path": "$.humidity", "name": "humidity", "type": "Integer", "unit": "%" }
              ]
            }
            """,
        FormatKind.Delimited => """
            {
              "style": "Csv",
              "separator": ",",
              "columns": [
                { "index": 0, "name": "temperature", "unit": "°C" },
                { "index": 1, "name": "humidity", "unit": "%" }
              ]
            }
            """,
        FormatKind.Binary => """
            {
              "endianness": "Big",
              "fields": [
                { "name": "temperature", "type": "S16", "scale": 0.01, "unit": "°C" },
                { "name": "humidity", "type": "U8", "scale": 0.5, "unit": "%" }
              ]
            }
            """,
        FormatKind.Script => """
            {
              "script": "function decodeUplink(input) {\n  return { data: { temperature: ((input.bytes[0] << 8) | input.bytes[1]) / 100 }, warnings: [], errors: [] };\n}",
              "timeoutMilliseconds": 100
            }
            """,
        _ => "{}",
    };

    public static (string Payload, string Encoding) SampleOf(FormatKind kind) => kind switch
    {
        FormatKind.Json => ("""{"temperature": 21.5, "humidity": 48}""", "text"),
        FormatKind.Delimited => ("21.5,48", "text"),
        FormatKind.Binary => ("08 66 61", "hex"),
        FormatKind.CayenneLpp => ("03 67 01 10 05 67 00 FF", "hex"),
        _ => ("08 66", "hex"),
    };
}
