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
    [InlineData("""{"temp": 21.5, }""", "Not valid JSON at character 16: a comma is followed by the end of the object or array.")]
    [InlineData("""{"temp": 21.5, 7}""", "Not valid JSON at character 16: expected a property name in double quotes.")]
    [InlineData("""{"temp": }""", "Not valid JSON at character 10: expected a value (text in double quotes, a number, true, false, null, an object or an array).")]
    [InlineData("""{"a":1.}""", "Not valid JSON at character 8: a number is not written correctly.")]
    [InlineData("""{"temp":""", "Not valid JSON at character 9: the payload ends before its object or array is closed.")]
    [InlineData("""{"temp": 21.5""", "Not valid JSON at character 14: the payload ends before its object or array is closed.")]
    [InlineData("""{"a":1}{"b":2}""", "Not valid JSON at character 8: unexpected text after the JSON value.")]
    [InlineData("""{'a':1}""", "Not valid JSON at character 2: expected a property name in double quotes.")]
    [InlineData("""{"a" 1}""", "Not valid JSON at character 6: expected ':' after the property name.")]
    [InlineData("""{"a":1 "b":2}""", "Not valid JSON at character 8: expected ',' or the end of the object or array.")]
    [InlineData("temp=21.5", "Not valid JSON at character 2: expected the literal true.")]
    [InlineData("""{"a":1} // comment""", "Not valid JSON at character 9: unexpected text after the JSON value.")]
    [InlineData("""{"a":01}""", "Not valid JSON at character 7: a number starts with a 0 it cannot have.")]
    [InlineData("""{"a":"open""", "Not valid JSON at character 11: the payload ends inside a text value; a closing '\"' is missing.")]
    [InlineData("{\n  \"é\": 1,\n  \"b\": x\n}", "Not valid JSON on line 3 at character 8: expected a value (text in double quotes, a number, true, false, null, an object or an array).")]
    public void Malformed_json_is_rejected_with_a_sentence_and_the_parser_text_as_details(string payload, string reason)
    {
        var result = _decoder.Decode(Encoding.UTF8.GetBytes(payload));

        Assert.False(result.Succeeded);
        Assert.Equal(reason, result.Reason);
        Assert.Contains("BytePositionInLine", result.Details);
    }

    [Fact]
    public void An_empty_payload_is_rejected()
    {
        var result = _decoder.Decode([]);
        Assert.Equal("Not valid JSON: the payload is empty.", result.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var result = _decoder.Decode([(byte)'"', 0xC3, 0x28, (byte)'"']);
        Assert.Equal("Not valid JSON: the payload is not UTF-8 text.", result.Reason);
    }
}
