using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>What makes <see cref="MqttBridgeSettings"/> valid, field by field.</summary>
internal static class MqttBridgeSettingsRules
{
    public const int MaxHostLength = 253;
    public const int MaxClientIdLength = 256;
    public const int MaxUsernameLength = 1024;
    public const int MaxTimeoutSeconds = 300;

    public static IReadOnlyDictionary<string, string[]> Check(MqttBridgeSettings s)
    {
        var problems = new ProblemList();
        CheckHost(s, problems);
        CheckTls(s, problems);
        if (!Enum.IsDefined(s.ProtocolVersion))
        {
            problems.Add("protocolVersion", "The protocol version is V311 (MQTT 3.1.1) or V500 (MQTT 5).");
        }

        if (s.ClientId is { } clientId && (clientId.Length is 0 or > MaxClientIdLength || clientId.Any(char.IsControl)))
        {
            problems.Add("clientId", $"A client id has 1 to {MaxClientIdLength} characters, none of them control characters; leave it empty for the default.");
        }

        if (s.Username is { Length: > MaxUsernameLength })
        {
            problems.Add("username", $"A user name has at most {MaxUsernameLength} characters.");
        }

        if (s.KeepAliveSeconds is < 0 or > ushort.MaxValue)
        {
            problems.Add("keepAliveSeconds", $"Keep-alive is 0 (none) to {ushort.MaxValue} seconds.");
        }

        if (s.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            problems.Add("timeoutSeconds", $"The timeout is 1 to {MaxTimeoutSeconds} seconds.");
        }

        MqttBridgeRoutes.Compile(s.Mappings, problems);
        return problems.ToDictionary();
    }

    /// <summary>The fingerprint as 64 lower-case hex digits, or null when <paramref name="text"/> is not one.</summary>
    public static string? NormalizeFingerprint(string text)
    {
        var hex = new string(text.Where(c => c is not (':' or ' ' or '-')).ToArray()).ToLowerInvariant();
        return hex.Length == SHA256.HashSizeInBytes * 2 && hex.All(Uri.IsHexDigit) ? hex : null;
    }


    private static void CheckHost(MqttBridgeSettings s, ProblemList problems)
    {
        var host = s.Host ?? "";
        if (host.Trim().Length == 0)
        {
            problems.Add("host", "The broker's host name or address is required.");
        }
        else if (host.Contains("://"))
        {
            problems.Add("host", "The host is a name or an address, without a scheme such as mqtt:// (TLS is its own setting).");
        }
        else if (host.Length > MaxHostLength || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '?' or '#'))
        {
            problems.Add("host", $"'{host}' is not a host name or address.");
        }

        if (s.Port is < 1 or > 65535)
        {
            problems.Add("port", "The port is 1 to 65535 (empty: 1883, or 8883 with TLS).");
        }
    }

    private static void CheckTls(MqttBridgeSettings s, ProblemList problems)
    {
        if (!string.IsNullOrWhiteSpace(s.CaCertificatePem))
        {
            if (!s.Tls)
            {
                problems.Add("caCertificatePem", "A CA certificate is used with TLS only: turn TLS on, or leave it empty.");
            }
            else if (ServerCertificateTrust.ReadCertificates(s.CaCertificatePem).Count == 0)
            {
                problems.Add("caCertificatePem", "No certificate could be read: paste PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.");
            }
        }

        if (!string.IsNullOrWhiteSpace(s.AcceptCertificateSha256))
        {
            if (!s.Tls)
            {
                problems.Add("acceptCertificateSha256", "A pinned certificate is used with TLS only: turn TLS on, or leave it empty.");
            }
            else if (NormalizeFingerprint(s.AcceptCertificateSha256) is null)
            {
                problems.Add("acceptCertificateSha256", "A SHA-256 fingerprint is 64 hexadecimal digits (colons allowed).");
            }
        }
    }
}
