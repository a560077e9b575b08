using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.CayenneLpp;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Tests.Core.Messaging.Formats;

public sealed class CayenneLppTests
{
    private readonly CayenneLppCodec _codec = new();

    [Theory]
    [InlineData("03 67 01 10 05 67 00 FF", """{"temperature_3":27.2,"temperature_5":25.5}""")]
    [InlineData("01 67 FF D7", """{"temperature_1":-4.1}""")]
    [InlineData("06 71 04 D2 FB 2E 00 00", """{"accelerometer_6":{"x":1.234,"y":-1.234,"z":0}}""")]
    [InlineData("01 88 06 76 5F F2 96 0A 00 03 E8", """{"gps_1":{"latitude":42.3519,"longitude":-87.9094,"altitude":10}}""")]
    [InlineData("02 68 61 07 73 27 58", """{"relative_humidity_2":48.5,"barometric_pressure_7":1007.2}""")]
    [InlineData("09 02 FF FE 0A 00 01", """{"analog_in_9":-0.02,"digital_in_10":1}""")]
    public void The_reference_vectors_decode_to_their_values(string hex, string expected)
    {
        var decoded = _codec.Decode(Input(hex));

        Assert.True(decoded.Succeeded, string.Join("; ", decoded.Errors));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), decoded.Data), decoded.Data!.ToJsonString());
    }

    [Theory]
    [InlineData("01 FF 00", "unknown data type 255 (0xFF) at byte 1")]
    [InlineData("01 67 01", "truncated frame at byte 2: temperature needs 2 bytes, 1 left")]
    [InlineData("01 67 01 10 02", "truncated frame at byte 4: a channel without its type")]
    [InlineData("", "the payload is empty")]
    public void An_unknown_type_or_a_truncated_frame_is_an_error_that_says_where(string hex, string error)
    {
        var decoded = _codec.Decode(Input(hex));

        Assert.False(decoded.Succeeded);
        Assert.Contains(error, Assert.Single(decoded.Errors));
    }

    [Fact]
    public void Encoding_with_the_same_table_gives_back_the_frame()
    {
        var data = JsonNode.Parse("""{"temperature_3":27.2,"temperature_5":25.5,"gps_1":{"latitude":42.3519,"longitude":-87.9094,"altitude":10}}""")!.AsObject();

        var (bytes, errors) = _codec.Encode(data);

        Assert.Empty(errors);
        Assert.Equal("03670110056700FF01880676 5FF2960A0003E8".Replace(" ", ""), Convert.ToHexString(bytes!));
    }

    [Theory]
    [InlineData("""{"temperature":20}""", "not a Cayenne LPP key")]
    [InlineData("""{"temperature_1":"warm"}""", "needs a number")]
    [InlineData("""{"relative_humidity_1":300}""", "out of range")]
    [InlineData("""{"accelerometer_1":{"x":1,"y":2}}""", "needs a number for \"z\"")]
    public void Data_that_cannot_be_encoded_is_refused_with_the_key_at_fault(string json, string error)
    {
        var (bytes, errors) = _codec.Encode(JsonNode.Parse(json)!.AsObject());

        Assert.Null(bytes);
        Assert.Contains(error, Assert.Single(errors));
    }

    [Theory]
    [InlineData("temperature_3", "°C")]
    [InlineData("gps_1.latitude", "°")]
    [InlineData("gps_1.altitude", "m")]
    [InlineData("accelerometer_6.x", "G")]
    [InlineData("digital_in_1", null)]
    public void Each_reading_has_the_unit_of_its_type_or_axis(string field, string? unit)
    {
        var compiled = IoTRoutes.Core.Messaging.Formats.FormatCompiler.Compile(IoTRoutes.Core.Messaging.Formats.FormatKind.CayenneLpp, []).Format!;

        Assert.Equal(unit, compiled.UnitOf(field));
    }

    private static DecodeInput Input(string hex) =>
        new(Convert.FromHexString(hex.Replace(" ", "")), 1, DateTimeOffset.UnixEpoch, DecodeInput.NoVariables);
}
