using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Import;

namespace IoTRoutes.Tests.Core.Messaging.Formats.Import;

/// <summary>Codec files of The Things Network's Device Repository, read as the import needs them.</summary>
public sealed class DeviceRepositoryCodecTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "DeviceRepository", name));

    [Fact]
    public void The_decoders_examples_are_read_with_bytes_in_hex_or_decimal_their_port_and_what_they_give()
    {
        var (codec, errors) = DeviceRepositoryCodec.Read(Fixture("thp-1-codec.yaml"));

        Assert.Empty(errors);
        var uplink = codec!.UplinkDecoder;
        Assert.Equal("thp-1.js", uplink.FileName);
        Assert.Equal(["Temperature, humidity, pressure and battery", "Below zero, bytes in decimal", "Unknown channel", "Wrong port"], uplink.Examples.Select(e => e.Description));
        Assert.Equal("0100D702610301 2CFF96".Replace(" ", ""), Convert.ToHexString(uplink.Examples[0].Bytes));
        Assert.Equal("01FFCE", Convert.ToHexString(uplink.Examples[1].Bytes));
        Assert.Equal([2, 2, 2, 9], uplink.Examples.Select(e => e.FPort ?? -1));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temperature":21.5,"humidity":48.5,"pressure":930,"battery":3}"""), uplink.Examples[0].Data));
        Assert.True(uplink.Examples[0].HasNormalizedOutput);
        Assert.Equal(["unknown channel 0x07"], uplink.Examples[2].Errors);
        Assert.Equal(["unknown fPort 9"], uplink.Examples[3].Errors);
        Assert.Empty(uplink.Examples[3].Bytes);
        Assert.Equal(1, codec.DownlinkEncoder!.ExampleCount);
        Assert.Equal("{\"interval\":15}", codec.DownlinkDecoder!.Examples.Single().Data!.ToJsonString());
    }

    [Fact]
    public void A_codec_file_with_only_an_uplink_decoder_and_no_examples_is_enough()
    {
        var (codec, errors) = DeviceRepositoryCodec.Read("uplinkDecoder:\n  fileName: plain.js\n");

        Assert.Empty(errors);
        Assert.Empty(codec!.UplinkDecoder.Examples);
        Assert.Null(codec.DownlinkEncoder);
        Assert.Null(codec.DownlinkDecoder);
    }

    [Theory]
    [InlineData("", "codecYaml", "Give the codec file")]
    [InlineData("downlinkEncoder:\n  fileName: a.js\n", "codecYaml.uplinkDecoder", "no uplinkDecoder section")]
    [InlineData("- just\n- a list\n", "codecYaml", "a YAML mapping")]
    [InlineData("uplinkDecoder:\n  examples: [{input: {fPort: 1, bytes: [1, 2\n", "codecYaml", "did not find expected")]
    [InlineData("uplinkDecoder:\n\tfileName: a.js\n", "codecYaml", "invalid tab")]
    [InlineData("uplinkDecoder:\n  examples:\n    - input: {fPort: 1, bytes: [1, 0x100]}\n      output: {data: {}}\n", "codecYaml.uplinkDecoder.examples[0].input.bytes[1]", "256 is not a byte")]
    [InlineData("uplinkDecoder:\n  examples:\n    - input: {fPort: 300, bytes: []}\n      output: {data: {}}\n", "codecYaml.uplinkDecoder.examples[0].input.fPort", "0 to 255")]
    [InlineData("uplinkDecoder:\n  examples:\n    - input: {fPort: 1, bytes: ['01']}\n      output: {data: {}}\n", "codecYaml.uplinkDecoder.examples[0].input.bytes[0]", "not a byte")]
    [InlineData("uplinkDecoder:\n  examples:\n    - input: {fPort: 1}\n      output: {data: {}}\n", "codecYaml.uplinkDecoder.examples[0].input.bytes", "input.bytes")]
    [InlineData("uplinkDecoder:\n  examples:\n    - input: {fPort: 1, bytes: []}\n", "codecYaml.uplinkDecoder.examples[0].output", "output")]
    [InlineData("uplinkDecoder:\n  examples: {a: 1}\n", "codecYaml.uplinkDecoder.examples", "a list")]
    [InlineData("uplinkDecoder:\n  fileName: a.js\n  fileName: b.js\n", "codecYaml", "appears twice")]
    public void A_codec_file_that_cannot_serve_says_where_and_why(string yaml, string field, string error)
    {
        var (codec, errors) = DeviceRepositoryCodec.Read(yaml);

        Assert.Null(codec);
        Assert.True(errors.ContainsKey(field), string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")));
        Assert.Contains(error, errors[field][0]);
    }
}
