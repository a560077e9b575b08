using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators;

namespace IoTRoutes.Web.Components.Pages.Communicators;

public enum FieldType
{
    Text,
    Number,
    Switch,
    Choice,
    Multiline,
    Secret,
    SecretMultiline,
    Json,
}

/// <summary>One field of a communicator's form: its dotted path in the API body, and when it shows (a choice's value).</summary>
public sealed record CommunicatorField(
    string Path, string Label, FieldType Type, string? Help = null, string[]? Choices = null, string? Default = null,
    (string Path, string[] Values)? ShowIf = null, bool Wide = false)
{
    public bool IsSecret => Type is FieldType.Secret or FieldType.SecretMultiline;
}

/// <summary>The page's form of each kind of communicator, and the conversion between its values and the API's flat body.</summary>
public static class CommunicatorForms
{
    private static readonly string[] Tls = ["None", "StartTls", "Ssl"];

    public static IReadOnlyList<CommunicatorField> Of(CommunicatorKind kind) => kind switch
    {
        CommunicatorKind.Http =>
        [
            new("baseUrl", "Base URL", FieldType.Text, "https://api.example.com/v1: workflow requests give a path below it", Wide: true),
            new("authentication.type", "Authentication", FieldType.Choice, Choices: ["None", "Basic", "Bearer", "ApiKey", "OAuth2ClientCredentials"], Default: "None"),
            new("authentication.username", "User name", FieldType.Text, ShowIf: ("authentication.type", ["Basic"])),
            new("authentication.password", "Password", FieldType.Secret, ShowIf: ("authentication.type", ["Basic"])),
            new("authentication.token", "Bearer token", FieldType.Secret, ShowIf: ("authentication.type", ["Bearer"])),
            new("authentication.headerName", "API key header", FieldType.Text, Default: "X-API-Key", ShowIf: ("authentication.type", ["ApiKey"])),
            new("authentication.apiKey", "API key", FieldType.Secret, ShowIf: ("authentication.type", ["ApiKey"])),
            new("authentication.tokenUrl", "Token URL", FieldType.Text, ShowIf: ("authentication.type", ["OAuth2ClientCredentials"])),
            new("authentication.clientId", "Client id", FieldType.Text, ShowIf: ("authentication.type", ["OAuth2ClientCredentials"])),
            new("authentication.clientSecret", "Client secret", FieldType.Secret, ShowIf: ("authentication.type", ["OAuth2ClientCredentials"])),
            new("authentication.scope", "Scope", FieldType.Text, ShowIf: ("authentication.type", ["OAuth2ClientCredentials"])),
            new("headers", "Default headers (JSON)", FieldType.Json, "{\"Accept\": \"application/json\"}", Default: "{}", Wide: true),
            new("timeoutSeconds", "Timeout (s)", FieldType.Number, Default: "30"),
            new("retries", "Retries", FieldType.Number, "On 5xx, 408, 429 and connection failures, with back-off", Default: "2"),
            new("idempotencyKeyHeader", "Idempotency key header", FieldType.Text, "e.g. Idempotency-Key: lets POSTs be retried safely"),
            new("caCertificatePem", "Trusted CA (PEM)", FieldType.Multiline, "Only for a server whose certificate is from a private CA", Wide: true),
            new("acceptCertificateSha256", "Or pin the server certificate (SHA-256)", FieldType.Text, Wide: true),
            new("clientCertificatePfxBase64", "Client certificate (PFX, base64)", FieldType.SecretMultiline, "For mutual TLS", Wide: true),
            new("clientCertificatePassword", "Client certificate password", FieldType.Secret),
        ],
        CommunicatorKind.Smtp =>
        [
            new("host", "Host", FieldType.Text, "smtp.example.com"),
            new("port", "Port", FieldType.Number, Default: "587"),
            new("security", "Security", FieldType.Choice, "StartTls on 587, Ssl on 465", Tls, Default: "StartTls"),
            new("username", "User name", FieldType.Text, "Empty: no login"),
            new("password", "Password", FieldType.Secret),
            new("sender", "Sender address", FieldType.Text, "iot@example.com"),
            new("senderName", "Sender name", FieldType.Text, "IoTRoutes"),
            new("timeoutSeconds", "Timeout (s)", FieldType.Number, Default: "30"),
            new("caCertificatePem", "Trusted CA (PEM)", FieldType.Multiline, "Only for a server whose certificate is from a private CA", Wide: true),
            new("acceptCertificateSha256", "Or pin the server certificate (SHA-256)", FieldType.Text, Wide: true),
        ],
        CommunicatorKind.Ftp =>
        [
            new("host", "Host", FieldType.Text),
            new("port", "Port", FieldType.Number, "Empty: 21"),
            new("security", "Security", FieldType.Choice, "ExplicitTls: FTPS (AUTH TLS); None: plain FTP, passwords in clear", ["ExplicitTls", "None"], Default: "ExplicitTls"),
            new("username", "User name", FieldType.Text),
            new("password", "Password", FieldType.Secret),
            new("directory", "Directory", FieldType.Text, "Where files are uploaded, e.g. /reports"),
            new("timeoutSeconds", "Timeout (s)", FieldType.Number, Default: "30"),
            new("caCertificatePem", "Trusted CA (PEM)", FieldType.Multiline, Wide: true),
            new("acceptCertificateSha256", "Or pin the server certificate (SHA-256)", FieldType.Text, Wide: true),
        ],
        CommunicatorKind.Sftp =>
        [
            new("host", "Host", FieldType.Text),
            new("port", "Port", FieldType.Number, "Empty: 22"),
            new("username", "User name", FieldType.Text),
            new("password", "Password", FieldType.Secret, "Or a private key below"),
            new("privateKey", "Private key (OpenSSH or PEM)", FieldType.SecretMultiline, Wide: true),
            new("privateKeyPassphrase", "Key passphrase", FieldType.Secret),
            new("directory", "Directory", FieldType.Text),
            new("hostKeyFingerprint", "Host key fingerprint", FieldType.Text, "SHA256:… as ssh-keygen -lf prints it; Test connection shows the server's", Wide: true),
            new("timeoutSeconds", "Timeout (s)", FieldType.Number, Default: "30"),
        ],
        _ =>
        [
            new("host", "Host", FieldType.Text),
            new("port", "Port", FieldType.Number, Default: "1883"),
            new("tls", "TLS", FieldType.Switch, Default: "false"),
            new("username", "User name", FieldType.Text),
            new("password", "Password", FieldType.Secret),
            new("clientId", "Client id", FieldType.Text),
            new("mappings", "Topic mappings (JSON)", FieldType.Json,
                "[{\"direction\": \"Inbound\", \"filter\": \"site1/+/telemetry\", \"topic\": \"devices/{1}/telemetry\", \"qos\": 1}]", Default: "[]", Wide: true),
            new("caCertificatePem", "Trusted CA (PEM)", FieldType.Multiline, Wide: true),
        ],
    };

    /// <summary>The form's values of a stored communicator (secrets empty: they are never read back).</summary>
    public static Dictionary<string, string> ValuesOf(CommunicatorKind kind, JsonObject? settings)
    {
        var values = new Dictionary<string, string>();
        foreach (var field in Of(kind))
        {
            var node = settings is null ? null : Find(settings, field.Path);
            values[field.Path] = field.IsSecret ? "" : node switch
            {
                null => field.Default ?? "",
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                JsonValue v => v.ToJsonString(),
                _ => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            };
        }

        return values;
    }

    public static bool Shows(CommunicatorField field, IReadOnlyDictionary<string, string> values) =>
        field.ShowIf is not { } condition || condition.Values.Contains(values.GetValueOrDefault(condition.Path));

    /// <summary>The API body of the form: hidden fields left out, empty secrets left out (kept), numbers and JSON parsed.</summary>
    public static (JsonObject? Body, Dictionary<string, string> Errors) BodyOf(CommunicatorKind kind, string name, IReadOnlyDictionary<string, string> values)
    {
        var body = new JsonObject { ["name"] = name, ["kind"] = kind.ToString() };
        var errors = new Dictionary<string, string>();
        foreach (var field in Of(kind).Where(f => Shows(f, values)))
        {
            var text = values.GetValueOrDefault(field.Path)?.Trim() ?? "";
            if (text.Length == 0 && field.Type != FieldType.Switch) continue;
            JsonNode? node;
            switch (field.Type)
            {
                case FieldType.Number when !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                    errors[field.Path] = "A whole number.";
                    continue;
                case FieldType.Number:
                    node = int.Parse(text, CultureInfo.InvariantCulture);
                    break;
                case FieldType.Switch:
                    node = text == "true";
                    break;
                case FieldType.Json:
                    try
                    {
                        node = JsonNode.Parse(text);
                    }
                    catch (JsonException e)
                    {
                        errors[field.Path] = $"Not valid JSON: {e.Message.Split('.')[0]}.";
                        continue;
                    }

                    break;
                default:
                    node = text;
                    break;
            }

            Set(body, field.Path, node);
        }

        return (errors.Count == 0 ? body : null, errors);
    }

    public static string TargetOf(CommunicatorDto c) => c.Kind == CommunicatorKind.Http
        ? c.Settings["baseUrl"]?.GetValue<string>() ?? ""
        : $"{c.Settings["host"]?.GetValue<string>()}{(c.Settings["port"] is JsonValue port ? $":{port.ToJsonString()}" : "")}";

    private static JsonNode? Find(JsonObject settings, string path)
    {
        JsonNode? node = settings;
        foreach (var part in path.Split('.')) node = (node as JsonObject)?[part];
        return node;
    }

    private static void Set(JsonObject body, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = body;
        foreach (var part in parts[..^1])
        {
            if (parent[part] is not JsonObject child) parent[part] = child = new JsonObject();
            parent = child;
        }

        parent[parts[^1]] = value;
    }
}
