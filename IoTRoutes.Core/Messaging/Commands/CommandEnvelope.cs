using System.Text.Json;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>
/// What a device receives: <c>{"id":"…","name":"…","payload":…}</c>, so that MQTT 3.1.1 devices, which have no
/// message properties, learn the command's name too.
/// </summary>
public static class CommandEnvelope
{
    public static byte[] Build(DeviceCommand command)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", command.Id);
            json.WriteString("name", command.Name);
            json.WritePropertyName("payload");
            if (command.Payload.Length == 0)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(command.Payload, skipInputValidation: false);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
