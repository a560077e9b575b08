using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// Samples and test cases through a format, by the same code as live traffic. A sample of a Command format is a
/// downlink: it is read as one (<see cref="CompiledFormat.DecoderFor"/>).
/// </summary>
public static class FormatTrial
{
    public static TryResult Try(CompiledFormat format, ExchangeType exchange, byte[] payload, int fPort, IReadOnlyDictionary<string, string> variables, DateTimeOffset now)
    {
        DecodedMessage decoded;
        try
        {
            decoded = format.DecoderFor(exchange).Decode(new DecodeInput(payload, fPort, now, variables));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            decoded = DecodedMessage.Failed($"The decoder failed: {e.Message}");
        }

        var note = format.Decoder is Script.ScriptCodec { WhyNotReused: { } why }
            ? $"Each message gets a JavaScript engine of its own because {why}: about 1.5 times the CPU per message of a script whose messages share engines."
            : null;
        return decoded.Succeeded
            ? new TryResult(decoded.Data, FormatFields.Of(decoded.Data, decoded.Normalized, format.UnitOf), decoded.Warnings, decoded.Errors, decoded.DeviceTime, decoded.Normalized, note)
            : new TryResult(null, [], decoded.Warnings, decoded.Errors, decoded.DeviceTime, Note: note);
    }

    public static IReadOnlyList<FormatTestResult> RunTests(CompiledFormat format, ExchangeType exchange, IEnumerable<FormatTestCase> cases, int fPort, DateTimeOffset now)
    {
        var results = new List<FormatTestResult>();
        foreach (var test in cases.Where(c => c is not null))
        {
            var (bytes, inputError) = SamplePayload.Decode(test.Input, test.Encoding);
            if (bytes is null)
            {
                results.Add(new(test.Name, false, inputError, null));
                continue;
            }

            var outcome = Try(format, exchange, bytes, test.FPort ?? fPort, DecodeInput.NoVariables, now);
            results.Add(Judge(test, outcome));
        }

        return results;
    }

    private static FormatTestResult Judge(FormatTestCase test, TryResult outcome)
    {
        if (test.ExpectedError is { Length: > 0 } expectedError)
        {
            var errors = string.Join(" ", outcome.Errors);
            return outcome.Errors.Count > 0 && errors.Contains(expectedError, StringComparison.OrdinalIgnoreCase)
                ? new(test.Name, true, null, null)
                : new(test.Name, false, outcome.Errors.Count > 0 ? $"Expected an error containing \"{expectedError}\", got: {errors}" : $"Expected an error containing \"{expectedError}\", but it decoded.", outcome.Data);
        }

        if (outcome.Errors.Count > 0)
        {
            return new(test.Name, false, string.Join(" ", outcome.Errors), null);
        }

        return JsonNode.DeepEquals(test.Expected, outcome.Data)
            ? new(test.Name, true, null, outcome.Data)
            : new(test.Name, false, $"Expected {test.Expected?.ToJsonString()}, got {outcome.Data?.ToJsonString()}.", outcome.Data);
    }
}
