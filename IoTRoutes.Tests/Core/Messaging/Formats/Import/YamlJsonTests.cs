using System.Text.Json.Nodes;
using IoTRoutes.Core.Messaging.Formats.Import;

namespace IoTRoutes.Tests.Core.Messaging.Formats.Import;

/// <summary>YAML as JSON, the way the Device Repository's own (JavaScript) tools read it.</summary>
public sealed class YamlJsonTests
{
    [Theory]
    [InlineData("[0x0B, 0xff, 0o17, 0b101, 11, -3, +4]", "[11,255,15,5,11,-3,4]")]
    [InlineData("[27.20, .5, 1e3, -2.5E-1, 20.0]", "[27.2,0.5,1000,-0.25,20]")]
    [InlineData("[~, null, '', true, False, TRUE]", """[null,null,"",true,false,true]""")]
    [InlineData("""['0x10', "12", !!str 13, N, 'N', yes, 2021-01-01]""", """["0x10","12","13","N","N","yes","2021-01-01"]""")]
    [InlineData("""["\xB0C", "line\nbreak"]""", """["°C","line\nbreak"]""")]
    [InlineData("a: &v {b: 1}\nc: *v\n", """{"a":{"b":1},"c":{"b":1}}""")]
    [InlineData("first: 1\n---\nsecond: 2\n", """{"first":1}""")]
    [InlineData("# only a comment\n", "null")]
    public void Scalars_follow_the_yaml_core_schema_and_numbers_are_doubles(string yaml, string json)
    {
        Assert.Equal(JsonNode.Parse(json)?.ToJsonString(), YamlJson.Read(yaml)?.ToJsonString());
    }

    [Fact]
    public void Numbers_compare_as_json_numbers_whatever_digits_the_file_wrote()
    {
        Assert.True(JsonNode.DeepEquals(JsonValue.Create(27.2), YamlJson.Read("27.20")));
        Assert.True(JsonNode.DeepEquals(JsonValue.Create(20), YamlJson.Read("20.0")));
        Assert.True(JsonNode.DeepEquals(JsonValue.Create(47.536430914778364), YamlJson.Read("47.536430914778364")));
    }

    [Fact]
    public void Nested_aliases_that_would_grow_without_end_are_refused()
    {
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(1, 9).Select(i =>
            $"{(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 10))}]\n"));

        Assert.Contains("more than 100,000 values", Assert.Throws<YamlJsonException>(() => YamlJson.Read(laughs)).Message);
    }

    [Theory]
    [InlineData(100_000)]
    [InlineData(65)]
    public void Nesting_deeper_than_the_bound_is_refused_without_overflowing_the_stack(int depth)
    {
        var deep = new string('[', depth) + new string(']', depth);

        Assert.Contains("nested deeper than 64", Assert.Throws<YamlJsonException>(() => YamlJson.Read(deep)).Message);
    }

    [Theory]
    [InlineData("a: [1, 2\nb: c", "not well-formed")]
    [InlineData("a: *nowhere", "names no anchor")]
    [InlineData("? [a]\n: b", "a key must be text")]
    [InlineData("a: 1\na: 2", "appears twice")]
    [InlineData("a: !!int twelve", "is not a int")]
    public void What_json_cannot_hold_is_an_error_with_its_place(string yaml, string error)
    {
        Assert.Contains(error, Assert.Throws<YamlJsonException>(() => YamlJson.Read(yaml)).Message);
    }
}
