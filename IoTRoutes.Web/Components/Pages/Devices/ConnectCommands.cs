using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers;

namespace IoTRoutes.Web.Components.Pages.Devices;

/// <summary>A command a person can paste into a shell, with what it does.</summary>
public sealed record ReadyCommand(string Title, string Text);

/// <summary>
/// The mosquitto commands that connect a device to its broker, with the broker's real host and ports. The secret is
/// written in only when it is known (just created or regenerated); otherwise the command says where it goes.
/// </summary>
public static class ConnectCommands
{
    public const string CaFile = "iotroutes-ca.crt";
    public const string CaPath = "api/v1/certificates/ca.pem";

    /// <summary>
    /// The host devices use: the configured public host, else the host of <paramref name="pageUri"/> (the address the
    /// browser reached IoTRoutes at), without the brackets of an IPv6 address.
    /// </summary>
    public static string HostOf(DeviceBrokerAddress broker, string pageUri) =>
        broker.PublicHost ?? new Uri(pageUri).Host.Trim('[', ']');

    /// <summary>The CA certificate's address on the web server <paramref name="baseUri"/> (which may have a path base).</summary>
    public static string CaUrl(string baseUri) => new Uri(new Uri(baseUri), CaPath).ToString();

    /// <summary>The commands for a device with <paramref name="key"/>; <paramref name="baseUri"/> is the app's base address.</summary>
    public static IReadOnlyList<ReadyCommand> For(string key, string? secret, DeviceBrokerAddress broker, string baseUri)
    {
        var host = HostOf(broker, baseUri);
        var password = $"-P '{secret ?? "<secret>"}'";
        var payload = """-m '{"temp":21.5}'""";
        var commands = new List<ReadyCommand>();
        var tls = broker.TlsPort is { } tlsPort ? $"-h {host} -p {tlsPort} --cafile {CaFile}" : null;
        if (tls is not null)
        {
            commands.Add(new("Download the CA certificate (for TLS)", $"curl -fsS -o {CaFile} {CaUrl(baseUri)}"));
        }

        if (broker.Authentication != DeviceAuthentication.Certificate)
        {
            commands.Add(new("Publish telemetry", $"mosquitto_pub -h {host} -p {broker.Port} -u {key} {password} -t devices/{key}/telemetry {payload} -q 1"));
            commands.Add(new("Receive commands", $"mosquitto_sub -h {host} -p {broker.Port} -u {key} {password} -t 'devices/{key}/commands/#' -q 1 -v"));
            if (tls is not null)
            {
                commands.Add(new("Publish over TLS", $"mosquitto_pub {tls} -u {key} {password} -t devices/{key}/telemetry {payload} -q 1"));
            }
        }

        if (tls is not null && broker.Authentication != DeviceAuthentication.Secret)
        {
            commands.Add(new("Publish with a client certificate", $"mosquitto_pub {tls} --cert device.crt --key device.key -t devices/{key}/telemetry {payload} -q 1"));
        }

        return commands;
    }
}
