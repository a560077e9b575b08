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
              "script": "// LoRa Alliance TS013: decodeUplink for what devices send, encodeDownlink for commands.\nfunction decodeUplink(input) {\n  var bytes = input.bytes;\n  if (bytes.length < 2) {\n    return { errors: ['expected 2 bytes, got ' + bytes.length] };\n  }\n  return {\n    data: { temperature: ((bytes[0] << 24 >> 16) | bytes[1]) / 100 },\n    warnings: [],\n    errors: []\n  };\n}\n\nfunction encodeDownlink(input) {\n  var value = Math.round(input.data.setpoint * 100);\n  return { bytes: [(value >> 8) & 0xff, value & 0xff], fPort: 2 };\n}\n"
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
