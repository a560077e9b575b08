using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats;
using IoTRoutes.Core.Messaging.Formats.Decoding;

namespace IoTRoutes.Tests.Core.Messaging.Formats;

/// <summary>Formats written backwards, for commands: what a format decodes, it encodes.</summary>
public sealed class EncodersTests
{
    [Fact]
    public void A_binary_layout_encodes_what_it_decodes_enums_and_bit_ranges_included()
    {
        var format = Compile(FormatKind.Binary, """
            {"fields":[
              {"name":"setpoint","type":"S16","scale":0.01,"unit":"°C"},
              {"name":"mode","type":"U8","bitOffset":0,"bitLength":4,"enum":{"1":"eco","2":"boost"}},
              {"name":"alarm","type":"U8","at":2,"bitOffset":7,"bitLength":1},
              {"name":"battery","type":"U16","endianness":"Little","scale":0.001}]}
            """);
        var data = JsonNode.Parse("""{"setpoint":-20.5,"mode":"boost","alarm":1,"battery":3.7}""")!.AsObject();

        var encoded = format.Encoder!.Encode(data, 1);

        Assert.Empty(encoded.Errors);
        Assert.Equal("F7FE82740E", Convert.ToHexString(encoded.Bytes!));
        Assert.True(JsonNode.DeepEquals(data, format.Decoder.Decode(new DecodeInput(encoded.Bytes, 1, DateTimeOffset.UnixEpoch, DecodeInput.NoVariables)).Data));
    }

    [Theory]
    [InlineData("""{"setpoint":400}""", "does not fit in 16 bits")]
    [InlineData("""{"other":1}""", "\"setpoint\" is missing")]
    [InlineData("""{"setpoint":"warm"}""", "needs a number")]
    public void Data_a_binary_layout_cannot_hold_is_refused_with_the_field(string json, string error)
    {
        var format = Compile(FormatKind.Binary, """{"fields":[{"name":"setpoint","type":"S16","scale":0.01}]}""");

        var encoded = format.Encoder!.Encode(JsonNode.Parse(json)!.AsObject(), 1);

        Assert.Null(encoded.Bytes);
        Assert.Contains(error, Assert.Single(encoded.Errors));
    }

    [Fact]
    public void A_json_mapping_writes_each_field_back_to_its_path()
    {
        var format = Compile(FormatKind.Json, """{"fields":[{"path":"$.set.temp","name":"setpoint","scale":0.1},{"path":"$.on","name":"on","type":"Boolean"}]}""");

        var encoded = format.Encoder!.Encode(JsonNode.Parse("""{"setpoint":21.5,"on":true,"command":"set"}""")!.AsObject(), 1);

        Assert.Equal("""{"set":{"temp":215},"on":true}""", System.Text.Encoding.UTF8.GetString(encoded.Bytes!));
    }

    [Fact]
    public void A_json_template_fills_values_as_json_outside_strings_and_as_text_inside_them()
    {
        var format = Compile(FormatKind.Json, """{"template":"{\"op\":\"{{command}}\",\"id\":\"cmd-{{site.id}}-x\",\"value\":{{setpoint}},\"opts\":{{opts}},\"note\":\"{{note}}\"}"}""");

        var encoded = format.Encoder!.Encode(JsonNode.Parse("""{"command":"set","setpoint":21.5,"site":{"id":7},"opts":{"fast":true},"note":"say \"hi\""}""")!.AsObject(), 1);

        Assert.Equal("""{"op":"set","id":"cmd-7-x","value":21.5,"opts":{"fast":true},"note":"say \"hi\""}""", System.Text.Encoding.UTF8.GetString(encoded.Bytes!));
        var withNull = format.Encoder!.Encode(JsonNode.Parse("""{"command":"set","setpoint":null,"site":{"id":7},"opts":null,"note":"x"}""")!.AsObject(), 1);
        Assert.Equal("""{"op":"set","id":"cmd-7-x","value":null,"opts":null,"note":"x"}""", System.Text.Encoding.UTF8.GetString(withNull.Bytes!));
        var surrogate = format.Encoder!.Encode(new JsonObject { ["command"] = "set", ["setpoint"] = "\ud800", ["site"] = new JsonObject { ["id"] = 1 }, ["opts"] = 1, ["note"] = "\ud800" }, 1);
        Assert.Contains("\"value\":\"\uFFFD\"", System.Text.Encoding.UTF8.GetString(surrogate.Bytes!)); // a lone surrogate is no character: replaced, never a 500
        var missing = format.Encoder!.Encode(JsonNode.Parse("""{"command":"set"}""")!.AsObject(), 1);
        Assert.Null(missing.Bytes);
        Assert.Contains("The template needs \"setpoint\"", string.Join(" ", missing.Errors));
    }

    [Theory]
    [InlineData("""{"v": {{value}""", "is not closed")]
    [InlineData("""{"v": {{ }} }""", "names no value")]
    [InlineData("""{"v": {{value}} """, "not JSON")]
    [InlineData("""{"v": {{{value}}} }""", "has a brace or a quote in its name")]
    public void A_broken_template_is_refused_when_the_format_is_saved(string template, string error)
    {
        var (compiled, errors) = FormatCompiler.Compile(FormatKind.Json, new JsonObject { ["template"] = template });

        Assert.Null(compiled);
        Assert.Contains(error, Assert.Single(errors["template"]));
    }

    [Fact]
    public void A_script_encodes_with_encode_downlink_and_its_errors_refuse_the_command()
    {
        var format = Compile(FormatKind.Script, """
            {"script":"function decodeUplink(i) { return { data: {} }; }\nfunction encodeDownlink(input) { if (input.data.level > 9) { return { errors: ['level 0-9'] }; } return { bytes: [0x01, input.data.level], fPort: 7 }; }"}
            """);

        var ok = format.Encoder!.Encode(JsonNode.Parse("""{"level":3}""")!.AsObject(), 1);
        var refused = format.Encoder!.Encode(JsonNode.Parse("""{"level":12}""")!.AsObject(), 1);

        Assert.Equal(("0103", 7), (Convert.ToHexString(ok.Bytes!), ok.FPort));
        Assert.Equal(["level 0-9"], refused.Errors);
        Assert.Null(refused.Bytes);
    }

    [Fact]
    public void A_command_for_a_cayenne_device_is_encoded_without_its_name_which_cayenne_has_no_key_for()
    {
        var format = new ProfileFormat(Guid.NewGuid(), "LPP commands", 1, ExchangeType.Command, "#", null, 1, Compile(FormatKind.CayenneLpp, "{}"), null, FormatKind.CayenneLpp);
        var profile = new ProfileDecoding(Guid.NewGuid(), "Thermostats", [format], new Dictionary<string, string>());
        var command = new IoTRoutes.Core.Messaging.Commands.DeviceCommand { Name = "set", Payload = System.Text.Encoding.UTF8.GetBytes("""{"temperature_1":21.5}""") };

        var (payload, error) = IoTRoutes.Core.Messaging.Commands.CommandEncoding.Encode(command, profile);

        Assert.Null(error);
        Assert.Equal("016700D7", Convert.ToHexString(payload!.Bytes));
        Assert.False(payload.IsEnvelope);
    }

    private static CompiledFormat Compile(FormatKind kind, string settings) =>
        FormatCompiler.Compile(kind, JsonNode.Parse(settings)!.AsObject()).Format ?? throw new Xunit.Sdk.XunitException("does not compile");
}
