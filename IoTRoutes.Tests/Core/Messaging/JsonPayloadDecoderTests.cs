using System.Text;
using IoTRoutes.Core.Messaging.Formats;

namespace IoTRoutes.Tests.Core.Messaging;

public sealed class JsonPayloadDecoderTests
{
    private readonly JsonPayloadDecoder _decoder = new();

    [Theory]
    [InlineData("""{"temp":21.5}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("21.5")]
    [InlineData("""  {"nested":{"a":[true,null]}}  """)]
    public void Well_formed_json_is_accepted(string payload)
    {
        var result = _decoder.Decode(Encoding.UTF8.GetBytes(payload));
        Assert.True(result.Succeeded, result.Reason);
        Assert.Null(result.Reason);
    }

    [Theory]
    [InlineData("""{"temp": 21.5""", "Malformed JSON:")]
    [InlineData("""{"a":1}{"b":2}""", "Malformed JSON:")]
    [InlineData("""{'a':1}""", "Malformed JSON:")]
    [InlineData("temp=21.5", "Malformed JSON:")]
    [InlineData("""{"a":1} // comment""", "Malformed JSON:")]
    public void Malformed_json_is_rejected_with_the_parser_reason(string payload, string prefix)
    {
        var result = _decoder.Decode(Encoding.UTF8.GetBytes(payload));
        Assert.False(result.Succeeded);
        Assert.StartsWith(prefix, result.Reason);
        Assert.True(result.Reason!.Length > prefix.Length + 5, "the reason says what is wrong");
    }

    [Fact]
    public void An_empty_payload_is_rejected()
    {
        var result = _decoder.Decode([]);
        Assert.Equal("Malformed JSON: the payload is empty.", result.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var result = _decoder.Decode([(byte)'"', 0xC3, 0x28, (byte)'"']);
        Assert.Equal("Malformed JSON: the payload is not valid UTF-8.", result.Reason);
    }
}
