using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Messaging.Formats.Decoding;

/// <summary>What a payload meant: the decoded object, the device's own timestamp when it sent one, and what went wrong.</summary>
/// <param name="Data">The decoded object (JSON semantics); null when decoding failed.</param>
/// <param name="Errors">Non-empty: the message is Rejected with them.</param>
/// <param name="Warnings">Kept with the message; they do not reject it.</param>
public sealed record DecodedMessage(JsonObject? Data, DateTimeOffset? DeviceTime, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0 && Data is not null;

    /// <summary>
    /// The same reading in the Device Repository's normalized schema (an object, or an array of objects), when the
    /// format gives one (a script's <c>normalizeUplink</c>): the message's fields are read from it rather than from
    /// <see cref="Data"/>.
    /// </summary>
    public JsonNode? Normalized { get; init; }

    /// <summary>The parser's own text behind <see cref="Errors"/>, when a parser refused the payload; kept with the message.</summary>
    public string? Details { get; init; }

    public static DecodedMessage Of(JsonObject data, DateTimeOffset? deviceTime = null, IReadOnlyList<string>? warnings = null) =>
        new(data, deviceTime, warnings ?? [], []);

    public static DecodedMessage Failed(string error) => new(null, null, [], [error]);

    public static DecodedMessage Failed(Json.PayloadProblem problem) => new(null, null, [], [problem.Reason]) { Details = problem.Details };
}

/// <summary>What a decoder is given beside the payload (TS013's input, as The Things Stack and ChirpStack pass it).</summary>
public sealed record DecodeInput(ReadOnlyMemory<byte> Payload, int FPort, DateTimeOffset ReceivedAt, IReadOnlyDictionary<string, string> Variables)
{
    public static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();
}

/// <summary>One format version, ready to decode: built once, used for every message it matches.</summary>
public interface IPayloadDecoder
{
    DecodedMessage Decode(DecodeInput input);
}
