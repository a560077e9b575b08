using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// An extra condition for a format to take a message, beyond its exchange type and topic: exactly one of a JSON value
/// (<see cref="JsonPath"/>), a byte (<see cref="ByteAt"/>) or a CSV column (<see cref="CsvColumn"/>) must equal
/// <see cref="Value"/> (a byte as decimal or 0x-hex).
/// </summary>
public sealed record Discriminator(string Value, string? JsonPath = null, int? ByteAt = null, int? CsvColumn = null, string? Separator = null);

/// <summary>A sample input and what decoding it must give: <see cref="Expected"/> data, or an error containing <see cref="ExpectedError"/>.</summary>
/// <param name="Encoding"><c>text</c>, <c>hex</c> or <c>base64</c>.</param>
public sealed record FormatTestCase(string Name, string Input, string Encoding = "text", int? FPort = null, JsonObject? Expected = null, string? ExpectedError = null);

/// <summary>
/// A format as the API and the editor give it: the common part, and the kind's own settings (JSON mapping fields,
/// binary layout, CSV columns, script). Also what a version keeps.
/// </summary>
public sealed record FormatDefinition(
    string? Name = null,
    FormatKind? Kind = null,
    ExchangeType? ExchangeType = null,
    string? TopicPattern = null,
    Discriminator? Discriminator = null,
    int? FPort = null,
    JsonObject? Settings = null,
    List<FormatTestCase>? TestCases = null,
    Guid? EntityId = null);

/// <summary>One test case's outcome.</summary>
public sealed record FormatTestResult(string Name, bool Passed, string? Problem, JsonObject? Actual);

public sealed record FieldDto(string Name, JsonNode? Value, string? Unit);

/// <summary>What decoding a sample gave (the try-it panel and <c>POST /formats/{id}/try</c>).</summary>
/// <param name="NormalizedData">A script's <c>normalizeUplink</c> output, which the fields then come from; absent otherwise.</param>
/// <param name="Note">What the format's author should know beyond this sample (a script that needs an engine per message).</param>
public sealed record TryResult(
    JsonObject? Data, IReadOnlyList<FieldDto> Fields, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors, DateTimeOffset? DeviceTime,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? NormalizedData = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note = null);

/// <summary>What encoding data with a format gave, and what the bytes decode back to when the format can tell (TS013's <c>decodeDownlink</c>).</summary>
public sealed record FormatEncoding(Encoders.EncodedPayload Encoded, DecodedDownlink? Decoded);

/// <summary>A downlink read back: TS013's <c>{data, warnings, errors}</c>.</summary>
public sealed record DecodedDownlink(JsonObject? Data, IReadOnlyList<string> Warnings, IReadOnlyList<string> Errors);

public sealed record FormatDto(
    Guid Id, string Name, Guid EntityId, FormatKind Kind, ExchangeType ExchangeType, string TopicPattern, Discriminator? Discriminator, int FPort,
    JsonObject Settings, IReadOnlyList<FormatTestCase> TestCases, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<FormatTestResult> TestResults, IReadOnlyList<string> Profiles);

public sealed record FormatVersionDto(int Version, DateTimeOffset CreatedAt, string? CreatedBy, FormatDefinition Definition);
