using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;
using MQTTnet;

namespace IoTRoutes.Tests.Integration;

/// <summary>Message formats end to end: defined through the API, given to devices by a profile, applied to real MQTT traffic.</summary>
public sealed class FormatsApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    /// <summary>A three-field climate frame (s16 temperature, u8 humidity, u16 battery): 5 bytes.</summary>
    internal const string BinaryLayout = """
        {"endianness":"Big","fields":[
          {"name":"temperature","type":"S16","scale":0.01,"unit":"°C"},
          {"name":"humidity","type":"U8","scale":0.5,"unit":"%"},
          {"name":"battery","type":"U16","scale":0.001,"unit":"V"}]}
        """;

    [Fact]
    public async Task A_binary_payload_from_mosquitto_pub_is_decoded_by_the_devices_profile_and_a_truncated_one_rejected_with_its_reason()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "Binary", "devices/+/up", JsonNode.Parse(BinaryLayout)!.AsObject());
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Climate"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Binary climate", profileId });
        var plain = await api.CreateDeviceAsync(new { name = "Plain JSON" });

        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("F8300F0E74"));
        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("F830"));
        await MosquittoPub.PublishAsync(_app.MqttPort, plain.Key, plain.Secret, $"devices/{plain.Key}/telemetry", """{"temp":20}""");

        var messages = await WaitForMessagesAsync(api, device.Id, 2);
        var decoded = messages.Single(m => m["state"]!.GetValue<string>() == "Processed");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temperature":-20,"humidity":7.5,"battery":3.7}"""), decoded["data"]), decoded.ToJsonString());
        Assert.Equal([("temperature", "°C"), ("humidity", "%"), ("battery", "V")],
            decoded["fields"]!.AsArray().Select(f => (f!["name"]!.GetValue<string>(), f["unit"]!.GetValue<string>())));
        Assert.Equal(formatId, decoded["formatId"]!.GetValue<Guid>());
        Assert.Equal(1, decoded["formatVersion"]!.GetValue<int>());
        var rejected = messages.Single(m => m["state"]!.GetValue<string>() == "Rejected");
        Assert.Contains("\"humidity\" (u8) needs bytes 2 to 2, the payload has 2", rejected["rejectionReason"]!.GetValue<string>());
        Assert.Equal("Processed", (await WaitForMessagesAsync(api, plain.Id, 1))[0]["state"]!.GetValue<string>());

        var latest = await Eventually.GetAsync(async () =>
        {
            var fields = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry/latest"))!;
            return fields.Count == 3 ? fields : null;
        }, "the latest values of the device's three fields");
        Assert.Equal([("battery", 3.7, "V"), ("humidity", 7.5, "%"), ("temperature", -20.0, "°C")],
            latest.Select(f => (f!["name"]!.GetValue<string>(), f["value"]!.GetValue<double>(), f["unit"]!.GetValue<string>())));
        Assert.Equal(decoded["id"]!.GetValue<Guid>(), latest[0]!["messageId"]!.GetValue<Guid>());

        // Without a profile, a JSON object's members are the device's fields: its latest values are read from its messages.
        await MosquittoPub.PublishAsync(_app.MqttPort, plain.Key, plain.Secret, $"devices/{plain.Key}/status", """{"battery":87}""");
        var plainLatest = await Eventually.GetAsync(async () =>
        {
            var fields = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{plain.Id}/telemetry/latest"))!;
            return fields.Count == 2 ? fields : null;
        }, "the plain device's two fields");
        Assert.Equal([("battery", 87.0), ("temp", 20.0)], plainLatest.Select(f => (f!["name"]!.GetValue<string>(), f["value"]!.GetValue<double>())));
    }

    [Fact]
    public async Task Editing_a_format_makes_a_new_version_and_messages_keep_the_version_that_decoded_them()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "Json", "#", JsonNode.Parse("""{"fields":[{"path":"$.t","name":"temperature","unit":"°C"}]}""")!.AsObject());
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Versioned"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Versioned sensor", profileId });
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"t":21}""");
        await WaitForMessagesAsync(api, device.Id, 1);

        var update = await api.PutAsJsonAsync($"/api/v1/formats/{formatId}", new
        {
            name = "renamed " + formatId, kind = "Json", exchangeType = "Telemetry", topicPattern = "#",
            fields = new[] { new { path = "$.t", name = "temperature", unit = "K", offset = 273.15 } },
        });
        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        await Eventually.GetAsync(async () =>
        {
            await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"t":21}""");
            var all = await WaitForMessagesAsync(api, device.Id, 2);
            return all.FirstOrDefault(m => m["formatVersion"]?.GetValue<int>() == 2);
        }, "a message decoded by version 2", TimeSpan.FromSeconds(45)); // the intake's profile cache lives 30 s at most

        var messages = await WaitForMessagesAsync(api, device.Id, 2);
        Assert.Equal(21, messages.Last()["data"]!["temperature"]!.GetValue<double>());
        Assert.Equal(1, messages.Last()["formatVersion"]!.GetValue<int>());
        Assert.Equal(294.15, messages.First()["data"]!["temperature"]!.GetValue<double>());
        var versions = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/formats/{formatId}/versions"))!;
        Assert.Equal([2, 1], versions.Select(v => v!["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_byte_discriminator_picks_the_format_among_those_on_the_same_topic()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var climate = await CreateFormatAsync(api, "Binary", "#", JsonNode.Parse("""{"fields":[{"type":"U8","skip":true},{"name":"temperature","type":"S16","scale":0.1}]}""")!.AsObject(),
            new { byteAt = 0, value = "1" });
        var counter = await CreateFormatAsync(api, "Binary", "#", JsonNode.Parse("""{"fields":[{"type":"U8","skip":true},{"name":"count","type":"U32"}]}""")!.AsObject(),
            new { byteAt = 0, value = "0x02" });
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Mixed"), formatIds = new[] { climate, counter } });
        var device = await api.CreateDeviceAsync(new { name = "Mixed device", profileId });

        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("0100D7"));
        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("0200011170"));
        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("03"));

        var messages = await WaitForMessagesAsync(api, device.Id, 3);
        Assert.Contains(messages, m => m["data"]?["temperature"]?.GetValue<double>() == 21.5);
        Assert.Contains(messages, m => m["data"]?["count"]?.GetValue<double>() == 70000);
        Assert.Contains(messages, m => m["rejectionReason"]?.GetValue<string>().Contains("No format of profile") == true);
    }

    [Fact]
    public async Task A_script_format_decodes_live_traffic_and_a_script_that_never_ends_rejects_only_its_message()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var script = "function decodeUplink(input) { if (input.bytes[0] === 255) { while (true) {} } " +
                     "return { data: { level: input.bytes[0] * 2, site: input.variables.site } }; }";
        var formatId = await CreateFormatAsync(api, "Script", "#", new JsonObject { ["script"] = script, ["timeoutMilliseconds"] = 200 });
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Scripted"), formatIds = new[] { formatId }, variables = new { site = "north" } });
        var device = await api.CreateDeviceAsync(new { name = "Scripted device", profileId });

        await PublishFileAsync(device, $"devices/{device.Key}/up", [0xFF]);
        await PublishFileAsync(device, $"devices/{device.Key}/up", [21]);

        var messages = await WaitForMessagesAsync(api, device.Id, 2);
        Assert.Contains(messages, m => JsonNode.DeepEquals(m["data"], JsonNode.Parse("""{"level":42,"site":"north"}""")));
        // The time limit, or the statement limit when the time limit's timer fires late (seen once in a full run on 2 busy cores).
        var reasons = messages.Select(m => m["rejectionReason"]?.GetValue<string>()).OfType<string>().ToList();
        Assert.True(reasons.Any(r => r.Contains("ran longer than its time limit") || r.Contains("ran more statements than its limit")), string.Join(" | ", reasons));
    }

    [Fact]
    public async Task A_burst_decoded_in_parallel_gives_each_message_its_own_data_and_rejects_only_the_bad_ones()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var script = "function decodeUplink(input) { var b = input.bytes; if (b[0] === 255) { return { errors: ['bad frame ' + b[1]] }; } " +
                     "var seen = typeof counter === 'undefined' ? 0 : counter; counter = seen + 1; " + // an implicit global: must not carry over
                     "return { data: { n: b[0] * 256 + b[1], tag: 'x' + b[1], seen: seen } }; }";
        var formatId = await CreateFormatAsync(api, "Script", "#", new JsonObject { ["script"] = script });
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Burst"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Burst device", profileId });
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);

        // 200 publishes, as many in flight as the broker's Receive Maximum allows: the intake takes them in batches large
        // enough to be decoded on every core.
        using var inFlight = new SemaphoreSlim(IoTRoutes.Core.Messaging.Brokers.BrokerRules.DefaultReceiveMaximum);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
                    .WithTopic($"devices/{device.Key}/up").WithPayload(i % 10 == 9 ? [0xFF, (byte)i] : [(byte)(i / 100), (byte)(i % 100)])
                    .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
            finally
            {
                inFlight.Release();
            }
        }));

        var messages = await Eventually.GetAsync(async () =>
        {
            var page = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages?limit=1000"))!;
            return page.Count >= 200 ? page.Select(m => m!).ToList() : null;
        }, "the 200 messages of the burst");
        Assert.Equal(200, messages.Count);
        var rejected = messages.Where(m => m["state"]!.GetValue<string>() == "Rejected").ToList();
        Assert.Equal(20, rejected.Count);
        Assert.All(rejected, m => Assert.Matches(@"bad frame (\d+)$", m["rejectionReason"]!.GetValue<string>()));
        var decoded = messages.Where(m => m["state"]!.GetValue<string>() == "Processed").Select(m => m["data"]!).ToList();
        Assert.Equal(180, decoded.Count);
        Assert.Equal(Enumerable.Range(0, 200).Where(i => i % 10 != 9).Select(i => (double)((i / 100) * 256 + i % 100)).Order(),
            decoded.Select(d => d["n"]!.GetValue<double>()).Order());
        Assert.All(decoded, d => Assert.Equal("x" + (int)d["n"]!.GetValue<double>() % 256, d["tag"]!.GetValue<string>()));
        Assert.All(decoded, d => Assert.Equal(0, d["seen"]!.GetValue<double>())); // each call had a fresh global scope
    }

    [Fact]
    public async Task Rejected_messages_are_decoded_again_in_place_after_the_format_is_fixed_and_the_counts_follow()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "Binary", "#", JsonNode.Parse(BinaryLayout)!.AsObject());
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Fixable"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Short frames", profileId });
        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("F830"));
        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("0960"));
        Assert.All(await WaitForMessagesAsync(api, device.Id, 2), m => Assert.Equal("Rejected", m["state"]!.GetValue<string>()));
        var before = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;

        var fixedLayout = new JsonObject
        {
            ["name"] = Unique("Fixed"), ["kind"] = "Binary", ["exchangeType"] = "Telemetry", ["topicPattern"] = "#",
            ["fields"] = JsonNode.Parse("""[{"name":"temperature","type":"S16","scale":0.01,"unit":"°C"}]"""),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/formats/{formatId}", fixedLayout)).StatusCode);
        var reprocess = await api.PostAsJsonAsync("/api/v1/messages/reprocess", new { deviceId = device.Id });

        Assert.Equal(HttpStatusCode.OK, reprocess.StatusCode);
        var result = (await reprocess.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((2, 2, 0), (result["reprocessed"]!.GetValue<int>(), result["processed"]!.GetValue<int>(), result["rejected"]!.GetValue<int>()));
        var messages = await WaitForMessagesAsync(api, device.Id, 2);
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(("Processed", 2), (m["state"]!.GetValue<string>(), m["formatVersion"]!.GetValue<int>())));
        Assert.Contains(messages, m => m["data"]!["temperature"]!.GetValue<double>() == 24);
        var after = (await api.GetFromJsonAsync<StatsBody>("/api/v1/messages/stats"))!;
        Assert.Equal((before.Received, before.Processed + 2, before.Rejected - 2), (after.Received, after.Processed, after.Rejected));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync("/api/v1/messages/reprocess", new { })).StatusCode);
    }

    [Fact]
    public async Task Field_series_follow_the_devices_own_time_with_gaps_where_a_field_is_missing_and_export_as_csv()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "Json", "#", new JsonObject { ["timestampPath"] = "$.ts", ["timestampEncoding"] = "EpochSeconds" });
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Timed"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Timed sensor", profileId });
        foreach (var payload in new[] { """{"temperature":21,"ts":1764997200}""", """{"battery":87,"ts":1764993600}""", """{"temperature":20,"ts":1764990000}""" })
        {
            await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", payload);
        }

        await WaitForMessagesAsync(api, device.Id, 3);
        var series = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry?fields=temperature,battery"))!;
        var csv = await api.GetStringAsync($"/api/v1/devices/{device.Id}/telemetry.csv?fields=temperature,battery");

        Assert.Equal(["temperature", "battery"], series.Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal([(1764990000L, 20.0), (1764997200L, 21.0)],
            series[0]!["points"]!.AsArray().Select(p => (p!["at"]!.GetValue<DateTimeOffset>().ToUnixTimeSeconds(), p["value"]!.GetValue<double>())));
        Assert.Single(series[1]!["points"]!.AsArray());
        Assert.Equal("time,temperature,battery\n2025-12-06T03:00:00.000Z,20,\n2025-12-06T04:00:00.000Z,,87\n2025-12-06T05:00:00.000Z,21,\n", csv);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/v1/devices/{device.Id}/telemetry?limit=0")).StatusCode);
    }

    [Fact]
    public async Task A_command_to_a_device_with_a_binary_command_format_arrives_encoded_and_one_it_cannot_encode_is_refused()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var uplink = await CreateFormatAsync(api, "CayenneLpp", "#", []);
        var body = new JsonObject
        {
            ["name"] = Unique("Valve command"), ["kind"] = "Binary", ["exchangeType"] = "Command",
            ["fields"] = JsonNode.Parse("""[{"name":"command","type":"U8","enum":{"1":"open","2":"close"}},{"name":"percent","type":"U8"}]"""),
        };
        var command = await api.PostIdAsync("/api/v1/formats", body);
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Valves"), formatIds = new[] { uplink, command } });
        var device = await api.CreateDeviceAsync(new { name = "Valve", profileId });
        using var client = await Mqtt.ConnectAsync(_app.MqttPort, device.Key, device.Secret);
        var received = new TaskCompletionSource<MQTTnet.MqttApplicationMessage>();
        client.ApplicationMessageReceivedAsync += e => { received.TrySetResult(e.ApplicationMessage); return Task.CompletedTask; };
        await client.SubscribeAsync($"devices/{device.Key}/commands/#", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);

        var sent = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { name = "open", payload = new { percent = 40 } });
        var refused = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { name = "spin", payload = new { percent = 40 } });

        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("0128", Convert.ToHexString(System.Buffers.BuffersExtensions.ToArray(message.Payload)));
        Assert.Equal("application/octet-stream", message.ContentType);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"spin\" is none of open, close", (await refused.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["payload"][0]);
    }

    [Fact]
    public async Task A_command_to_a_device_with_a_json_template_arrives_as_the_template_filled_at_mosquitto_sub()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var body = new JsonObject
        {
            ["name"] = Unique("Thermostat command"), ["kind"] = "Json", ["exchangeType"] = "Command",
            ["template"] = """{"op": "{{command}}", "target": {{setpoint}}, "ref": "web-{{setpoint}}"}""",
        };
        var command = await api.PostIdAsync("/api/v1/formats", body);
        var uplink = await CreateFormatAsync(api, "CayenneLpp", "#", []);
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Thermostats"), formatIds = new[] { uplink, command } });
        var device = await api.CreateDeviceAsync(new { name = "Thermostat", profileId });
        var subscriber = MosquittoPub.RunToolAsync("mosquitto_sub",
        [
            "-h", "127.0.0.1", "-p", _app.MqttPort.ToString(), "-u", device.Key, "-P", device.Secret, "-V", "mqttv5",
            "-t", $"devices/{device.Key}/commands/#", "-q", "1", "-C", "1", "-W", "15",
        ]);
        await Task.Delay(1500); // mosquitto_sub subscribed; a command sent before would wait for its next connection anyway

        var sent = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { name = "set", payload = new { setpoint = 21.5 } });
        var refused = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/commands", new { name = "set", payload = new { mode = "eco" } });

        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var (exitCode, output) = await subscriber;
        Assert.True(exitCode == 0, output);
        Assert.Equal("""{"op":"set","target":21.5,"ref":"web-21.5"}""", output.Trim());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("The template needs \"setpoint\"", (await refused.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["payload"][0]);
    }

    [Fact]
    public async Task A_normalizing_script_keeps_its_own_data_and_gives_the_fields_of_the_normalized_reading()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var script = """
            function decodeUplink(input) { return { data: { temp: ((input.bytes[0] << 8) | input.bytes[1]) / 100, rh: input.bytes[2] / 2 } }; }
            function normalizeUplink(input) { return { data: { air: { temperature: input.data.temp, relativeHumidity: input.data.rh } } }; }
            """;
        var formatId = await CreateFormatAsync(api, "Script", "#", new JsonObject { ["script"] = script });
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Normalized"), formatIds = new[] { formatId } });
        var device = await api.CreateDeviceAsync(new { name = "Normalized climate", profileId });

        await PublishFileAsync(device, $"devices/{device.Key}/up", Convert.FromHexString("086661"));

        var message = (await WaitForMessagesAsync(api, device.Id, 1))[0];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"temp":21.5,"rh":48.5}"""), message["data"]), message.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"air":{"temperature":21.5,"relativeHumidity":48.5}}"""), message["normalizedData"]), message.ToJsonString());
        Assert.Equal([("air.temperature", "°C"), ("air.relativeHumidity", "%")],
            message["fields"]!.AsArray().Select(f => (f!["name"]!.GetValue<string>(), f["unit"]!.GetValue<string>())));
        var latest = await Eventually.GetAsync(async () =>
        {
            var fields = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry/latest"))!;
            return fields.Count == 2 ? fields : null;
        }, "the latest values of the normalized fields");
        Assert.Equal(["air.relativeHumidity", "air.temperature"], latest.Select(f => f!["name"]!.GetValue<string>()));
        var series = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry?fields=air.temperature"))!;
        Assert.Equal(21.5, Assert.Single(series[0]!["points"]!.AsArray())!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Encoding_with_a_script_that_decodes_downlinks_answers_the_bytes_read_back_and_its_try_reads_a_downlink()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var script = """
            function decodeUplink(input) { return { data: { uplink: true } }; }
            function encodeDownlink(input) { return { bytes: [input.data.on ? 1 : 0, input.data.level], fPort: 3 }; }
            function decodeDownlink(input) { return { data: { on: input.bytes[0] === 1, level: input.bytes[1] }, warnings: input.fPort === 3 ? [] : ["port"] }; }
            """;
        var command = await api.PostIdAsync("/api/v1/formats", new JsonObject
        {
            ["name"] = Unique("Dimmer"), ["kind"] = "Script", ["exchangeType"] = "Command", ["script"] = script,
        });
        var withoutDecoder = await CreateFormatAsync(api, "Script", "#", new JsonObject
        {
            ["script"] = "function decodeUplink(i) { return { data: {} }; }\nfunction encodeDownlink(i) { return { bytes: [7] }; }",
        });

        var encoded = (await (await api.PostAsJsonAsync($"/api/v1/formats/{command}/encode", new { data = new { on = true, level = 40 } })).Content.ReadFromJsonAsync<JsonObject>())!;
        var tried = (await (await api.PostAsJsonAsync($"/api/v1/formats/{command}/try", new { payload = "0128", encoding = "hex", fPort = 3 })).Content.ReadFromJsonAsync<JsonObject>())!;
        var plain = (await (await api.PostAsJsonAsync($"/api/v1/formats/{withoutDecoder}/encode", new { data = new { } })).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(("ASg=", 3), (encoded["bytes"]!.GetValue<string>(), encoded["fPort"]!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"data":{"on":true,"level":40},"warnings":[],"errors":[]}"""), encoded["decoded"]), encoded.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"on":true,"level":40}"""), tried["data"]), tried.ToJsonString());
        Assert.Equal(["bytes", "fPort", "warnings", "errors"], plain.Select(p => p.Key));
    }

    [Theory]
    [InlineData("03 67 01 10 05 67 00 FF", "hex", """{"temperature_3":27.2,"temperature_5":25.5}""")]
    [InlineData("AWf/1w==", "base64", """{"temperature_1":-4.1}""")]
    public async Task Trying_a_sample_gives_the_data_and_its_fields(string payload, string encoding, string expected)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "CayenneLpp", "#", []);

        var result = (await (await api.PostAsJsonAsync($"/api/v1/formats/{formatId}/try", new { payload, encoding })).Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result["data"]), result.ToJsonString());
        Assert.All(result["fields"]!.AsArray(), f => Assert.Equal("°C", f!["unit"]!.GetValue<string>()));
        Assert.Empty(result["errors"]!.AsArray());
    }

    [Fact]
    public async Task A_sample_that_does_not_decode_is_a_200_with_errors_and_a_malformed_request_a_400()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "CayenneLpp", "#", []);

        var failed = await api.PostAsJsonAsync($"/api/v1/formats/{formatId}/try", new { payload = "01 FF 00", encoding = "hex" });
        var malformed = await api.PostAsJsonAsync($"/api/v1/formats/{formatId}/try", new { payload = "zz", encoding = "hex" });

        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Contains("unknown data type 255", (await failed.Content.ReadFromJsonAsync<JsonObject>())!["errors"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("encoding", (await malformed.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
    }

    [Theory]
    [InlineData("""{"kind":"Binary","exchangeType":"Telemetry","fields":[{"name":"a","type":"U9"}]}""", "fields[0].type")]
    [InlineData("""{"kind":"Binary","exchangeType":"Telemetry","fields":[{"name":"a","type":"U8","bitLength":9}]}""", "fields[0].bitLength")]
    [InlineData("""{"kind":"Json","exchangeType":"Telemetry","feilds":[]}""", "feilds")]
    [InlineData("""{"kind":"Json","exchangeType":"Telemetry","topicPattern":"a/#/b"}""", "topicPattern")]
    [InlineData("""{"kind":"Jason","exchangeType":"Telemetry"}""", "kind")]
    [InlineData("""{"kind":"Script","exchangeType":"Telemetry","script":"function decodeUplink(i){return {"}""", "script")]
    [InlineData("""{"kind":"Script","exchangeType":"Telemetry","script":"function decodeUplink(i){return {data:{}};}","timeoutMilliseconds":0}""", "timeoutMilliseconds")]
    [InlineData("""{"kind":"CayenneLpp","exchangeType":"Telemetry","testCases":[{"name":"t1","input":"01 67 01 10","encoding":"hex","expected":{"temperature_1":99}}]}""", "testCases.t1")]
    public async Task Bad_settings_are_a_400_with_the_place_of_each_problem(string body, string field)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var json = JsonNode.Parse(body)!.AsObject();
        json["name"] = Unique("Bad");

        var response = await api.PostAsJsonAsync("/api/v1/formats", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
        Assert.True(problem.Errors!.ContainsKey(field), string.Join("; ", problem.Errors.Select(e => $"{e.Key}: {e.Value[0]}")));
    }

    [Fact]
    public async Task A_format_or_profile_in_use_cannot_be_deleted()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var formatId = await CreateFormatAsync(api, "CayenneLpp", "#", []);
        var profileId = await api.PostIdAsync("/api/v1/profiles", new { name = Unique("Used"), formatIds = new[] { formatId } });
        await api.CreateDeviceAsync(new { name = "User of profile", profileId });

        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/v1/formats/{formatId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.DeleteAsync($"/api/v1/profiles/{profileId}")).StatusCode);
    }

    [Fact]
    public async Task Another_branch_sees_none_of_a_branchs_formats_and_profiles_and_cannot_use_them()
    {
        using var root = await _app.CreateAuthenticatedClientAsync();
        var branchA = await root.PostIdAsync("/api/v1/entities", new { name = Unique("Branch A"), type = "Organisation" });
        var branchB = await root.PostIdAsync("/api/v1/entities", new { name = Unique("Branch B"), type = "Organisation" });
        using var adminA = await _app.CreateClientForNewUserAsync(branchA, IoTRoutes.Core.Security.Permissions.BuiltInRoles.AdministratorId);
        using var adminB = await _app.CreateClientForNewUserAsync(branchB, IoTRoutes.Core.Security.Permissions.BuiltInRoles.AdministratorId);
        var formatA = await CreateFormatAsync(adminA, "CayenneLpp", "#", []);
        var profileA = await adminA.PostIdAsync("/api/v1/profiles", new { name = Unique("Profile A"), formatIds = new[] { formatA } });
        var deviceB = await adminB.CreateDeviceAsync(new { name = "Device of B" });
        var rootFormat = await CreateFormatAsync(root, "CayenneLpp", "#", []);

        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/api/v1/formats/{formatA}")).StatusCode);
        Assert.DoesNotContain(formatA.ToString(), await adminB.GetStringAsync("/api/v1/formats"));
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/api/v1/formats/{formatA}/try", new { payload = "00" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminB.PostAsJsonAsync("/api/v1/profiles", new { name = Unique("Stolen"), formatIds = new[] { formatA } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await adminB.PutAsJsonAsync($"/api/v1/devices/{deviceB.Id}", new { profileId = profileA })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await root.PostAsJsonAsync($"/api/v1/profiles/{profileA}/devices", new { deviceIds = new[] { deviceB.Id } })).StatusCode);
        // A format of the platform serves a branch through a profile the platform's administrator makes there.
        var inherited = await root.PostIdAsync("/api/v1/profiles", new { name = Unique("Inherited"), formatIds = new[] { rootFormat }, entityId = branchB });
        Assert.Equal(HttpStatusCode.NoContent, (await adminB.PutAsJsonAsync($"/api/v1/devices/{deviceB.Id}", new { profileId = inherited })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await root.PostAsJsonAsync("/api/v1/profiles", new { name = Unique("Upwards"), formatIds = new[] { formatA }, entityId = branchB })).StatusCode);
    }

    private static string Unique(string name) => $"{name} {Guid.NewGuid():N}"[..(name.Length + 13)];

    private static async Task<Guid> CreateFormatAsync(HttpClient api, string kind, string topic, JsonObject settings, object? discriminator = null)
    {
        var body = new JsonObject { ["name"] = Unique(kind), ["kind"] = kind, ["exchangeType"] = "Telemetry", ["topicPattern"] = topic, ["settings"] = settings };
        if (discriminator is not null) body["discriminator"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(discriminator));
        return await api.PostIdAsync("/api/v1/formats", body);
    }

    private Task PublishFileAsync(CreatedDeviceBody device, string topic, byte[] payload) =>
        MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, topic, payload);

    private static Task<List<JsonNode>> WaitForMessagesAsync(HttpClient api, Guid deviceId, int count) =>
        Eventually.GetAsync(async () =>
        {
            var messages = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{deviceId}/messages"))!;
            return messages.Count >= count ? messages.Select(m => m!).ToList() : null;
        }, $"{count} message(s) of device {deviceId}");
}
