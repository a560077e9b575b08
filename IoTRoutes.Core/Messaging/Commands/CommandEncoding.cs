using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>A command as it goes on the wire: its bytes, and whether they are the JSON envelope.</summary>
public sealed record CommandPayload(byte[] Bytes, bool IsEnvelope);

/// <summary>
/// What a device receives for a command: encoded by the first Command format of its profile (the command's payload,
/// an object, with <c>command</c> set to the command's name unless the payload has one), or else the JSON envelope.
/// </summary>
public static class CommandEncoding
{
    public static (CommandPayload? Payload, string? Error) Encode(DeviceCommand command, ProfileDecoding? profile)
    {
        if (profile?.CommandFormat is not { } format)
        {
            return (new CommandPayload(CommandEnvelope.Build(command), IsEnvelope: true), null);
        }

        if (format.Compiled?.Encoder is not { } encoder)
        {
            return (null, $"Format {format.Name} of profile {profile.Name} cannot encode commands{(format.Problem is null ? "" : ": " + format.Problem)}.");
        }

        JsonObject data;
        try
        {
            data = command.Payload.Length == 0 ? [] : JsonNode.Parse(command.Payload) as JsonObject
                ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return (null, $"Commands to this device are encoded by format {format.Name}: the payload must be a JSON object.");
        }

        if (format.Kind is FormatKind.Json or FormatKind.Script)
        {
            data.TryAdd("command", command.Name); // layouts (binary, Cayenne) take the name only if they have a field for it
        }
        else if (format.Kind == FormatKind.Binary && !data.ContainsKey("command"))
        {
            data["command"] = command.Name;
        }
        var encoded = encoder.Encode(data, format.FPort);
        return encoded.Bytes is { } bytes
            ? (new CommandPayload(bytes, IsEnvelope: false), null)
            : (null, $"Format {format.Name} could not encode the command: {string.Join(" ", encoded.Errors)}");
    }
}
