using System.Text.Json;
using System.Text.Unicode;
using IoTRoutes.Core.Messaging.Formats.Json;

namespace IoTRoutes.Core.Messaging.Formats;

/// <param name="Reason">Why it failed, as a sentence for people.</param>
/// <param name="Details">The parser's own text, when the reason came from it.</param>
public sealed record DecodeResult(bool Succeeded, string? Reason, string? Details = null)
{
    public static readonly DecodeResult Ok = new(true, null);
    public static DecodeResult Fail(string reason) => new(false, reason);
    public static DecodeResult Fail(PayloadProblem problem) => new(false, problem.Reason, problem.Details);
}

/// <summary>The built-in format of the walking skeleton: the payload must be one well-formed JSON value.</summary>
public sealed class JsonPayloadDecoder
{
    public DecodeResult Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return DecodeResult.Fail("Not valid JSON: the payload is empty.");
        }

        if (!Utf8.IsValid(payload))
        {
            return DecodeResult.Fail("Not valid JSON: the payload is not UTF-8 text.");
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
            return DecodeResult.Fail(JsonSyntaxProblem.Of(e, payload));
        }
    }
}
