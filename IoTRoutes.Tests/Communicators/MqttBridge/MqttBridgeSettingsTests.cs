using System.Text.Json;
using IoTRoutes.Core.Communicators.MqttBridge;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

public sealed class MqttBridgeSettingsTests
{
    private static readonly MqttBridgeSettings Valid = new()
    {
        Host = "broker.example.com",
        Username = "plant",
        Mappings =
        [
            new() { Direction = MqttBridgeDirection.Inbound, Filter = "site1/+/telemetry", Topic = "devices/{1}/telemetry" },
            new() { Direction = MqttBridgeDirection.Outbound, Filter = "devices/+/telemetry", Topic = "plant/{1}/t", Qos = 0, Retain = true },
        ],
    };

    private static IReadOnlyDictionary<string, string[]> ProblemsOf(params MqttBridgeMapping[] mappings) =>
        (Valid with { Mappings = mappings }).Problems();

    private static MqttBridgeMapping In(string filter, string topic) => new() { Direction = MqttBridgeDirection.Inbound, Filter = filter, Topic = topic };

    private static MqttBridgeMapping Out(string filter, string topic) => new() { Direction = MqttBridgeDirection.Outbound, Filter = filter, Topic = topic };

    [Fact]
    public void Valid_settings_have_no_problems_and_take_the_default_port_of_their_transport()
    {
        Assert.Empty(Valid.Problems());
        Assert.Equal(1883, Valid.EffectivePort);
        Assert.Equal(8883, (Valid with { Tls = true }).EffectivePort);
        Assert.Equal("broker.example.com:1883", Valid.Target);
    }

    [Fact]
    public void Settings_round_trip_through_web_json_with_enums_as_strings()
    {
        var json = JsonSerializer.Serialize(Valid, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Contains("\"protocolVersion\":\"V500\"", json);
        Assert.Contains("\"direction\":\"Outbound\"", json);
        Assert.DoesNotContain("effectivePort", json);
        var back = JsonSerializer.Deserialize<MqttBridgeSettings>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(Valid.Mappings, back.Mappings);
        Assert.Equal(Valid with { Mappings = back.Mappings }, back);
    }

    [Theory]
    [InlineData("", "host")]
    [InlineData("mqtt://broker.example.com", "host")]
    [InlineData("broker example", "host")]
    public void A_bad_host_is_a_problem(string host, string field)
    {
        Assert.Contains(field, (Valid with { Host = host }).Problems().Keys);
    }

    [Fact]
    public void Ports_timeouts_and_keep_alive_out_of_range_are_problems()
    {
        var problems = (Valid with { Port = 0, TimeoutSeconds = 0, KeepAliveSeconds = 70_000, ClientId = "" }).Problems();

        Assert.Equal(["clientId", "keepAliveSeconds", "port", "timeoutSeconds"], problems.Keys.Order());
    }

    [Fact]
    public void Tls_settings_need_tls_and_must_be_readable()
    {
        var withoutTls = (Valid with { CaCertificatePem = "x", AcceptCertificateSha256 = "ab" }).Problems();
        Assert.Contains("with TLS only", withoutTls["caCertificatePem"][0]);
        Assert.Contains("with TLS only", withoutTls["acceptCertificateSha256"][0]);

        var unreadable = (Valid with { Tls = true, CaCertificatePem = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----", AcceptCertificateSha256 = "12:34" }).Problems();
        Assert.Contains("No certificate could be read", unreadable["caCertificatePem"][0]);
        Assert.Contains("64 hexadecimal digits", unreadable["acceptCertificateSha256"][0]);

        var certificates = TestCertificates.Create();
        Assert.Empty((Valid with { Tls = true, CaCertificatePem = certificates.CaPem, AcceptCertificateSha256 = certificates.ServerSha256 }).Problems());
    }

    [Theory]
    [InlineData("site1/#/telemetry")]
    [InlineData("site1/a+/telemetry")]
    [InlineData("site1/#x")]
    [InlineData("")]
    public void A_filter_breaking_the_wildcard_rules_is_a_problem(string filter)
    {
        var problems = ProblemsOf(In(filter, "devices/abc/telemetry"));

        Assert.Contains("mappings[0].filter", problems.Keys);
    }

    [Fact]
    public void A_placeholder_beyond_the_filters_wildcards_is_a_problem()
    {
        var problems = ProblemsOf(In("site1/+/telemetry", "devices/{1}/{2}"), Out("devices/telemetry", "plant/{1}"));

        Assert.Contains("refers to wildcard 2, but the filter has 1", problems["mappings[0].topic"][0]);
        Assert.Contains("the filter has none", problems["mappings[1].topic"][0]);
    }

    [Theory]
    [InlineData("site1/+/telemetry", "plant/{1}/telemetry")]
    [InlineData("site1/+/telemetry", "devices/{1}")]
    [InlineData("site1/+/telemetry", "device/{1}/telemetry")]
    [InlineData("site1/+/telemetry", "devices//telemetry")]
    public void An_inbound_topic_not_naming_a_device_topic_is_a_problem(string filter, string topic)
    {
        var problems = ProblemsOf(In(filter, topic));

        Assert.Contains("devices/<key>/<topic>", problems["mappings[0].topic"][0]);
    }

    [Fact]
    public void Inbound_topics_take_the_key_from_a_plus_never_from_a_hash_nor_from_key_and_never_write_command_topics()
    {
        Assert.Contains("cannot come from a # wildcard", ProblemsOf(In("site1/#", "devices/{1}/up"))["mappings[0].topic"][0]);
        Assert.Contains("{key} is for outbound", ProblemsOf(In("site1/+/up", "devices/{key}/up"))["mappings[0].topic"][0]);
        Assert.Contains("command topic", ProblemsOf(In("site1/+/up", "devices/{1}/commands/x"))["mappings[0].topic"][0]);
        Assert.Empty(ProblemsOf(In("site1/+/#", "devices/{1}/{2}"), In("fixed/up", "devices/abc/up")));
    }

    [Fact]
    public void Outbound_filters_match_device_topics_and_only_outbound_mappings_retain()
    {
        var problems = ProblemsOf(Out("plant/+/t", "x/{1}"), In("site1/+/up", "devices/{1}/up") with { Retain = true });

        Assert.Contains("starts with devices/", problems["mappings[0].filter"][0]);
        Assert.Contains("outbound mappings only", problems["mappings[1].retain"][0]);
    }

    [Theory]
    [InlineData("plant/{1")]
    [InlineData("plant/1}")]
    [InlineData("plant/{name}")]
    [InlineData("plant/+/{1}")]
    [InlineData("")]
    public void A_malformed_target_template_is_a_problem(string topic)
    {
        Assert.Contains("mappings[0].topic", ProblemsOf(Out("devices/+/telemetry", topic)).Keys);
    }

    [Fact]
    public void Overlapping_inbound_filters_are_a_problem_since_a_message_could_be_stored_twice()
    {
        var problems = ProblemsOf(In("site1/+/up", "devices/{1}/up"), In("site1/dev7/#", "devices/dev7/{1}"), In("site2/+/up", "devices/{1}/up"));

        Assert.Equal(["mappings[1].filter"], problems.Keys);
        Assert.Contains("overlaps the inbound filter 'site1/+/up' of mapping 1", problems["mappings[1].filter"][0]);
    }

    [Fact]
    public void Qos_is_zero_to_two()
    {
        Assert.Contains("QoS is 0, 1 or 2.", ProblemsOf(Out("devices/#", "x") with { Qos = 3 })["mappings[0].qos"]);
    }

    [Fact]
    public void Secrets_never_print_their_password()
    {
        var secrets = new MqttBridgeSecrets { Password = "hunter2-secret" };

        Assert.DoesNotContain("hunter2", secrets.ToString());
        Assert.Contains("(hidden)", secrets.ToString());
        Assert.Empty(secrets.Problems());
    }
}
