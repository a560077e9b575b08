using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Binary;
using IoTRoutes.Core.Messaging.Formats.Decoding;
using IoTRoutes.Core.Messaging.Formats.Delimited;
using IoTRoutes.Core.Messaging.Formats.Json;

namespace IoTRoutes.Tests.Core.Messaging.Formats;

/// <summary>The formats without code: JSON mappings, CSV and key=value, binary layouts.</summary>
public sealed class FieldDecodersTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    [Fact]
    public void A_json_mapping_reads_paths_types_units_scale_and_the_device_timestamp()
    {
        var decoder = Json("""
            {"fields":[
              {"path":"$.main.temp","name":"temperature","unit":"°C","scale":0.1},
              {"path":"$.main['rel hum']","name":"humidity","type":"Integer"},
              {"path":"$.status[0]","name":"status","type":"String"},
              {"path":"$.door","name":"open","type":"Boolean"}],
             "timestampPath":"$.ts","timestampEncoding":"EpochMilliseconds"}
            """);

        var decoded = decoder.Decode(Input("""{"main":{"temp":215,"rel hum":"48.4"},"status":["ok"],"door":1,"ts":1764979200000}"""));

        Assert.True(decoded.Succeeded, string.Join("; ", decoded.Errors));
        AssertJson("""{"temperature":21.5,"humidity":48,"status":"ok","open":true}""", decoded.Data);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764979200000), decoded.DeviceTime);
    }

    [Theory]
    [InlineData("""{"other":1}""", "\"temperature\" is missing ($.temp)")]
    [InlineData("""{"temp":"warm"}""", "\"temperature\": \"warm\" is not a number")]
    [InlineData("""{"temp":{"v":1}}""", "\"temperature\": expected a number, found object")]
    [InlineData("""{"temp":""", "Not valid JSON at character 9: the payload ends before its object or array is closed.")]
    [InlineData("""[1,2]""", "not an object")]
    public void A_json_payload_that_does_not_fit_its_mapping_is_an_error_naming_the_field(string payload, string error)
    {
        var decoder = Json("""{"fields":[{"path":"$.temp","name":"temperature","required":true}]}""");
        var mapped = decoder.Decode(Input(payload));
        var whole = Json("{}").Decode(Input(payload));

        Assert.False(payload.StartsWith('[') ? whole.Succeeded : mapped.Succeeded);
        Assert.Contains(error, string.Join(" ", (payload.StartsWith('[') ? whole : mapped).Errors));
    }

    [Fact]
    public void A_json_mapping_applies_to_each_reading_of_a_batch()
    {
        var decoder = Json("""{"readingsPath":"$.r","fields":[{"path":"t","name":"temperature"}]}""");

        var decoded = decoder.Decode(Input("""{"r":[{"t":20.5},{"t":21}]}"""));

        AssertJson("""{"readings":[{"temperature":20.5},{"temperature":21}]}""", decoded.Data);
    }

    [Theory]
    [InlineData("""{"fields":[{"path":"$.a[","name":"x"}]}""", "fields[0].path")]
    [InlineData("""{"fields":[{"path":"$.a","name":""}]}""", "fields[0].name")]
    [InlineData("""{"fields":[{"path":"$.a","name":"x"},{"path":"$.b","name":"x"}]}""", "fields[1].name")]
    [InlineData("""{"fields":[{"path":"$.a","name":"x","scale":0}]}""", "fields[0].scale")]
    public void Bad_json_mapping_settings_are_reported_at_their_place(string settings, string place)
    {
        var (decoder, errors) = JsonMappingDecoder.Build(JsonSerializer.Deserialize<JsonMapping>(settings, Web)!);

        Assert.Null(decoder);
        Assert.Contains(place, errors.Keys);
    }

    [Fact]
    public void A_binary_layout_reads_types_endianness_bit_ranges_scale_and_enums()
    {
        var decoder = Binary("""
            {"endianness":"Big","fields":[
              {"name":"temperature","type":"S16","scale":0.01,"unit":"°C"},
              {"name":"humidity","type":"U8","scale":0.5},
              {"name":"battery","type":"U16","endianness":"Little","scale":0.001},
              {"name":"mode","type":"U8","bitOffset":0,"bitLength":4,"enum":{"1":"eco","2":"boost"}},
              {"name":"alarm","type":"U8","at":5,"bitOffset":7,"bitLength":1},
              {"type":"U8","skip":true},
              {"name":"pressure","type":"F32"}]}
            """);

        var decoded = decoder.Decode(Input(Convert.FromHexString("F830" + "61" + "740E" + "82" + "00" + "447BE000")));

        Assert.True(decoded.Succeeded, string.Join("; ", decoded.Errors));
        AssertJson("""{"temperature":-20,"humidity":48.5,"battery":3.7,"mode":"boost","alarm":1,"pressure":1007.5}""", decoded.Data);
    }

    [Fact]
    public void A_discriminator_byte_picks_the_layout_and_repeat_reads_every_record()
    {
        var decoder = Binary("""
            {"discriminatorAt":0,"repeat":true,"layouts":{
              "1":[{"name":"temperature","type":"S16","scale":0.1}],
              "2":[{"name":"count","type":"U32"}]}}
            """);

        AssertJson("""{"readings":[{"temperature":21.5},{"temperature":-1}]}""", decoder.Decode(Input(Convert.FromHexString("01" + "00D7" + "FFF6"))).Data);
        AssertJson("""{"readings":[{"count":70000}]}""", decoder.Decode(Input(Convert.FromHexString("02" + "00011170"))).Data);
        Assert.Contains("no layout for discriminator 3", Assert.Single(decoder.Decode(Input([3, 0])).Errors));
    }

    [Theory]
    [InlineData("""{"fields":[{"name":"v","type":"F32"}]}""", "7FC00000", "not a finite number")]
    [InlineData("""{"fields":[{"name":"v","type":"F64"}]}""", "7FF0000000000000", "not a finite number")]
    public void A_float_that_is_not_a_number_is_an_error(string settings, string hex, string error)
    {
        Assert.Contains(error, Assert.Single(Binary(settings).Decode(Input(Convert.FromHexString(hex))).Errors));
    }

    [Fact]
    public void A_json_value_that_scales_out_of_range_is_an_error_and_an_implausible_timestamp_a_warning()
    {
        var decoder = Json("""{"fields":[{"path":"$.v","name":"v","scale":10}],"timestampPath":"$.ts","timestampEncoding":"EpochSeconds"}""");

        var huge = decoder.Decode(Input("""{"v":1e308,"ts":1}"""));
        var future = decoder.Decode(Input("""{"v":1,"ts":99999999999}"""));

        Assert.Contains("not a finite number", Assert.Single(huge.Errors));
        Assert.True(future.Succeeded);
        Assert.Null(future.DeviceTime);
        Assert.Contains("implausible", Assert.Single(future.Warnings));
    }

    [Theory]
    [InlineData("""{"fields":[null]}""", "fields[0]")]
    [InlineData("""{"discriminatorAt":0,"layouts":{"1":null}}""", "layouts.1")]
    [InlineData("""{"types":{"1":null}}""", "types.1")]
    [InlineData("""{"fields":[{"name":"a","type":"U8","at":50000000}]}""", "fields[0].at")]
    [InlineData("""{"fields":[{"name":"a","type":"U8","bitOffset":2147483647,"bitLength":1}]}""", "fields[0].bitOffset")]
    [InlineData("""{"fields":[{"name":"a","type":"U8","enum":{"one":"x"}}]}""", "fields[0].enum")]
    public void Null_or_out_of_range_binary_settings_are_reported_not_thrown(string settings, string place)
    {
        var (decoder, errors) = BinaryLayoutDecoder.Build(JsonSerializer.Deserialize<BinaryLayout>(settings, Web)!);

        Assert.Null(decoder);
        Assert.Contains(place, errors.Keys);
    }

    [Fact]
    public void Channel_type_records_give_keys_by_channel_as_in_cayenne()
    {
        var decoder = Binary("""{"types":{"16":{"name":"level","type":"U16","unit":"mm"},"32":{"name":"valve","type":"U8","enum":{"0":"closed","1":"open"}}}}""");

        var decoded = decoder.Decode(Input(Convert.FromHexString("0110" + "04D2" + "0220" + "01")));

        AssertJson("""{"level_1":1234,"valve_2":"open"}""", decoded.Data);
    }

    [Theory]
    [InlineData("F8", "\"temperature\" (s16) needs bytes 0 to 1, the payload has 1")]
    [InlineData("", "\"temperature\" (s16) needs bytes 0 to 1, the payload has 0")]
    public void A_truncated_binary_payload_is_an_error_that_names_the_field_and_the_bytes(string hex, string error)
    {
        var decoder = Binary("""{"fields":[{"name":"temperature","type":"S16"}]}""");

        Assert.Contains(error, Assert.Single(decoder.Decode(Input(Convert.FromHexString(hex))).Errors));
    }

    [Theory]
    [InlineData("""{"fields":[]}""", "fields")]
    [InlineData("""{"fields":[{"name":"a","type":"U8","bitOffset":4,"bitLength":5}]}""", "fields[0].bitLength")]
    [InlineData("""{"fields":[{"name":"a","type":"F32","bitLength":1}]}""", "fields[0].bitLength")]
    [InlineData("""{"fields":[{"type":"U8"}]}""", "fields[0].name")]
    [InlineData("""{"discriminatorAt":0,"layouts":{"300":[{"name":"a","type":"U8"}]}}""", "layouts.300")]
    public void Bad_binary_settings_are_reported_at_their_place(string settings, string place)
    {
        var (decoder, errors) = BinaryLayoutDecoder.Build(JsonSerializer.Deserialize<BinaryLayout>(settings, Web)!);

        Assert.Null(decoder);
        Assert.Contains(place, errors.Keys);
    }

    [Fact]
    public void Csv_columns_and_key_value_pairs_become_fields()
    {
        var csv = Delimited("""{"style":"Csv","columns":[{"index":0,"name":"temperature","unit":"°C"},{"index":2,"name":"label","type":"String"}]}""");
        var pairs = Delimited("""{"style":"KeyValue","separator":";","columns":[{"key":"t","name":"temperature"},{"key":"ok","name":"ok","type":"Boolean"}]}""");
        var everything = Delimited("""{"style":"KeyValue","separator":";"}""");

        AssertJson("""{"temperature":21.5,"label":"hall, east"}""", csv.Decode(Input("21.5,48,\"hall, east\"\n")).Data);
        AssertJson("""{"temperature":-3,"ok":true}""", pairs.Decode(Input("t=-3; ok=on")).Data);
        AssertJson("""{"t":-3,"name":"gate"}""", everything.Decode(Input("t=-3;name=gate")).Data);
    }

    [Theory]
    [InlineData("x,48", "\"temperature\": \"x\" is not a number")]
    [InlineData(",48", "\"temperature\" is missing (column 0")]
    public void A_delimited_value_that_does_not_fit_is_an_error(string payload, string error)
    {
        var decoder = Delimited("""{"columns":[{"index":0,"name":"temperature","required":true}]}""");

        Assert.Contains(error, Assert.Single(decoder.Decode(Input(payload)).Errors));
    }

    private static JsonMappingDecoder Json(string settings) => Built(JsonMappingDecoder.Build(JsonSerializer.Deserialize<JsonMapping>(settings, Web)!));

    private static BinaryLayoutDecoder Binary(string settings) => Built(BinaryLayoutDecoder.Build(JsonSerializer.Deserialize<BinaryLayout>(settings, Web)!));

    private static DelimitedDecoder Delimited(string settings) => Built(DelimitedDecoder.Build(JsonSerializer.Deserialize<DelimitedLayout>(settings, Web)!));

    private static T Built<T>((T? Decoder, Dictionary<string, string[]> Errors) built) where T : class =>
        built.Decoder ?? throw new Xunit.Sdk.XunitException(string.Join("; ", built.Errors.Select(e => $"{e.Key}: {e.Value[0]}")));

    private static DecodeInput Input(string text) => Input(Encoding.UTF8.GetBytes(text));

    private static DecodeInput Input(byte[] bytes) => new(bytes, 1, new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), DecodeInput.NoVariables);

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString() ?? "null");
}
