using System.Text.Json;
using System.Text.Unicode;

namespace IoTRoutes.Core.Messaging.Formats;

public sealed record DecodeResult(bool Succeeded, string? Reason)
{
    public static readonly DecodeResult Ok = new(true, null);
    public static DecodeResult Fail(string reason) => new(false, reason);
}

/// <summary>The built-in format of the walking skeleton: the payload must be one well-formed JSON value.</summary>
public sealed class JsonPayloadDecoder
{
    public DecodeResult Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return DecodeResult.Fail("Malformed JSON: the payload is empty.");
        }

        if (!Utf8.IsValid(payload))
        {
            return DecodeResult.Fail("Malformed JSON: the payload is not valid UTF-8.");
        }

        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }

            return DecodeResult.Ok;
        }
        catch (JsonException e)
        {
            return DecodeResult.Fail($"Malformed JSON: {e.Message}");
        }
    }
}
