using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Core.Media;
using IoTRoutes.Tests.Infrastructure;
using SkiaSharp;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Media;

/// <summary>Real HTTP (Kestrel) for curl and the per-address throttle, and a small file limit for the 413.</summary>
public sealed class MediaApp() : IoTRoutesApp(TestDatabase.Sqlite(), realHttp: true)
{
    public const int MaxFileBytes = 300_000;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("IoTRoutes:Files:MaxBytes", MaxFileBytes.ToString())];
}

/// <summary>
/// The Media exchange end to end: files sent by mosquitto_pub on devices/&lt;key&gt;/media/&lt;name&gt; and by curl or
/// HttpClient to POST /api/v1/devices/{id}/media are stored as files of the device's entity, read by the interpreters,
/// and recorded as messages pointing at the file; unreadable or lying files are Rejected with their reason and kept.
/// </summary>
public sealed class MediaIntakeTests(MediaApp app) : IClassFixture<MediaApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task An_image_published_over_MQTT_becomes_a_file_with_a_thumbnail_and_a_message_with_its_reading()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await CreateEntityAsync(api, "Yard");
        var device = await CreateDeviceAsync(api, "Yard camera", site);
        var photo = TestImages.Solid(640, 480, SKColors.White, SKEncodedImageFormat.Jpeg);

        await MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/media/gate/snapshot.jpg", photo);

        var message = await MessageAsync(api, device.Id, "Processed");
        var data = message["data"]!;
        Assert.Equal(("snapshot.jpg", "image/jpeg", 640, 480), (data["name"]!.GetValue<string>(), data["mediaType"]!.GetValue<string>(),
            data["width"]!.GetValue<int>(), data["height"]!.GetValue<int>()));
        Assert.Equal(1.0, data["brightness"]!.GetValue<double>(), 2);
        var fileId = data["fileId"]!.GetValue<Guid>();
        var file = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/files/{fileId}/info"))!;
        Assert.Equal(("Media", site, device.Id, message["id"]!.GetValue<Guid>(), true),
            (file["kind"]!.GetValue<string>(), file["entityId"]!.GetValue<Guid>(), file["deviceId"]!.GetValue<Guid>(),
             file["messageId"]!.GetValue<Guid>(), file["hasThumbnail"]!.GetValue<bool>()));
        Assert.Equal(photo, await api.GetByteArrayAsync($"/api/v1/files/{fileId}"));
        var thumbnail = await api.GetByteArrayAsync($"/api/v1/files/{fileId}/thumbnail");
        Assert.Equal((160, 120), TestImages.SizeOf(thumbnail));
        // The message does not hold the bytes twice: they are in the file.
        Assert.Equal(photo.Length, message["payloadSize"]!.GetValue<int>());
        var latest = await _app.EventuallyAsync(async () =>
        {
            var names = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/telemetry/latest"))!.Select(f => f!["name"]!.GetValue<string>()).ToList();
            return names.Contains("brightness") ? names : null;
        }, "the reading among the latest values");
        Assert.DoesNotContain("fileId", latest);
    }

    [Fact]
    public async Task A_corrupt_image_over_MQTT_is_Rejected_with_its_reason_and_kept_and_an_MQTT_5_device_hears_0x99()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Broken camera");
        var garbage = new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.Concat(Enumerable.Range(0, 4000).Select(i => (byte)(i * 7))).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, garbage);
        string output;
        try
        {
            (_, output) = await MosquittoPub.RunToolAsync("mosquitto_pub",
                ["-h", "127.0.0.1", "-p", _app.MqttPort.ToString(), "-u", device.Key, "-P", device.Secret, "-V", "mqttv5", "-q", "1", "-d",
                 "-t", $"devices/{device.Key}/media/broken.png", "-f", path]);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Contains("RC:153", output); // 0x99 Payload format invalid: stored, but not usable
        var message = await MessageAsync(api, device.Id, "Rejected");
        Assert.StartsWith("The media file broken.png could not be read: The PNG image", message["rejectionReason"]!.GetValue<string>());
        var fileId = message["data"]!["fileId"]!.GetValue<Guid>();
        Assert.Equal(garbage, await api.GetByteArrayAsync($"/api/v1/files/{fileId}")); // kept, as it came
    }

    [Fact]
    public async Task A_media_name_lying_about_its_content_is_Rejected_and_its_bytes_stay_in_the_message()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Liar");
        var png = TestImages.Solid(8, 8, SKColors.Black);

        await MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/media/noise.wav", png);

        var message = await MessageAsync(api, device.Id, "Rejected");
        Assert.Contains("named as a WAV recording, but its content is a PNG image", message["rejectionReason"]!.GetValue<string>());
        Assert.Equal(png.Length, message["payloadSize"]!.GetValue<int>());
        var files = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/files?deviceId={device.Id}"))!["items"]!.AsArray();
        Assert.Empty(files);
    }

    [Fact]
    public async Task Curl_posts_a_WAV_with_the_device_key_and_secret_and_gets_its_loud_stretch_back()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Microphone");
        // One quiet second, then half a second at full scale.
        var wav = new TestWave(8_000).Write(1.5, (t, _) => TestWave.Sine(t, t < 1 ? 0.01 : 0.9, 440));
        var path = Path.Combine(Path.GetTempPath(), $"noise-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, wav);
        string answer;
        try
        {
            answer = await CurlAsync("-s", "-u", $"{device.Key}:{device.Secret}", "-H", "Content-Type: audio/wav", "--data-binary", $"@{path}",
                "-w", "\n%{http_code}", $"{_app.BaseAddress}/api/v1/devices/{device.Id}/media?name=door.wav");
        }
        finally
        {
            File.Delete(path);
        }

        var (body, status) = (answer[..answer.LastIndexOf('\n')], answer[(answer.LastIndexOf('\n') + 1)..]);
        Assert.True(status == "201", answer);
        var receipt = JsonNode.Parse(body)!;
        Assert.Equal("Processed", receipt["state"]!.GetValue<string>());
        var fields = receipt["fields"]!;
        Assert.Equal((1.5, 8000, 1), (fields["durationSeconds"]!.GetValue<double>(), fields["sampleRate"]!.GetValue<int>(), fields["loudCount"]!.GetValue<int>()));
        Assert.Equal(1.0, fields["loud"]![0]!["start"]!.GetValue<double>(), 1);
        var message = await MessageAsync(api, device.Id, "Processed");
        Assert.Equal((receipt["messageId"]!.GetValue<Guid>(), $"devices/{device.Key}/media/door.wav"),
            (message["id"]!.GetValue<Guid>(), message["topic"]!.GetValue<string>()));
        Assert.Equal(wav, await api.GetByteArrayAsync($"/api/v1/files/{receipt["fileId"]!.GetValue<Guid>()}"));
    }

    [Fact]
    public async Task Over_HTTPS_corrupt_lying_oversized_and_unnamed_media_get_problem_details_and_are_recorded()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Uploader");
        using var http = DeviceClient(device.Key, device.Secret);
        var url = $"/api/v1/devices/{device.Id}/media";

        var truncated = new TestWave(8_000).Write(1, (t, _) => TestWave.Sine(t, 0.5))[..2000];
        var corrupt = await http.PostAsync($"{url}?name=cut.wav", Body(truncated, "audio/wav"));
        var lying = await http.PostAsync(url, Form(TestImages.Solid(4, 4, SKColors.Red), "photo.jpg"));
        var tooLarge = await http.PostAsync($"{url}?name=big.bin", Body(new byte[MediaApp.MaxFileBytes + 1], "application/octet-stream"));
        var unnamed = await http.PostAsync(url, Body([1, 2, 3], "application/octet-stream"));
        var badName = await http.PostAsync($"{url}?name=a%2B%23", Body([1, 2, 3], "application/octet-stream"));

        var corruptProblem = await ProblemAsync(corrupt, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cut.wav could not be read", corruptProblem["detail"]!.GetValue<string>());
        Assert.NotNull(corruptProblem["fileId"]?.GetValue<Guid>()); // kept
        var lyingProblem = await ProblemAsync(lying, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("“photo.jpg” is named as a JPEG image, but its content is a PNG image", lyingProblem["detail"]!.GetValue<string>());
        await ProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("name", (await ProblemAsync(unnamed, HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("+ or #", (await ProblemAsync(badName, HttpStatusCode.BadRequest))["errors"]!["name"]![0]!.GetValue<string>());

        var messages = await Eventually.GetAsync(async () =>
        {
            var all = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages"))!;
            return all.Count == 3 && all.All(m => m!["state"]!.GetValue<string>() == "Rejected") ? all : null;
        }, "three Rejected messages");
        Assert.Equal(["big.bin", "cut.wav", "photo.jpg"], messages.Select(m => m!["topic"]!.GetValue<string>().Split('/')[^1]).Order());
    }

    [Fact]
    public async Task Wrong_credentials_get_401_and_an_address_that_keeps_guessing_gets_429_even_with_the_right_secret()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Guarded");
        var other = await CreateDeviceAsync(api, "Neighbour");
        var url = $"/api/v1/devices/{device.Id}/media?name=a.txt";

        using (var anonymous = new HttpClient { BaseAddress = new Uri(_app.BaseAddress) })
        {
            var none = await anonymous.PostAsync(url, Body("hello"u8.ToArray(), "text/plain"));
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Basic", none.Headers.WwwAuthenticate.Single().Scheme);
        }

        // Another device's own key and secret do not open this device.
        using (var neighbour = DeviceClient(other.Key, other.Secret))
        {
            await ProblemAsync(await neighbour.PostAsync(url, Body("hello"u8.ToArray(), "text/plain")), HttpStatusCode.Unauthorized);
        }

        // Over a loopback address of its own (127.0.0.2), so the other tests' requests are not throttled.
        using var guesser = SourceAddressClient.Create(_app.BaseAddress, "127.0.0.2");
        for (var i = 0; i < 10; i++)
        {
            using var wrong = new HttpRequestMessage(HttpMethod.Post, url) { Content = Body("x"u8.ToArray(), "text/plain") };
            wrong.Headers.Authorization = Basic(device.Key, $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SendAsync(wrong)).StatusCode);
        }

        using var right = new HttpRequestMessage(HttpMethod.Post, url) { Content = Body("x"u8.ToArray(), "text/plain") };
        right.Headers.Authorization = Basic(device.Key, device.Secret);
        var throttled = await guesser.SendAsync(right);
        await ProblemAsync(throttled, HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromSeconds(60), throttled.Headers.RetryAfter?.Delta);
        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/messages"))!);
    }

    [Fact]
    public async Task A_Media_workflow_alerts_on_a_loud_recording_and_not_on_a_quiet_one()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await CreateDeviceAsync(api, "Hall microphone");
        var created = await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse($$$"""
            {"name": "Loud noise {{{Guid.NewGuid():N}}}", "definition": {
              "nodes": [
                {"id": "in",    "type": "OnMessage",  "settings": {"exchangeType": "Media", "deviceIds": ["{{{device.Id}}}"]}},
                {"id": "loud",  "type": "Filter",     "settings": {"condition": "loudCount > 0"}},
                {"id": "alert", "type": "RaiseAlert", "settings": {"alertType": "LoudNoise", "severity": "Major",
                                                                   "message": "{{ name }}: {{ peakDbfs }} dBFS"}}],
              "links": [{"from": "in", "to": "loud"}, {"from": "loud", "fromPort": "true", "to": "alert"}]}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { })).StatusCode);

        var quiet = new TestWave(8_000).Write(0.5, (t, _) => TestWave.Sine(t, 0.01, 440));
        var loud = new TestWave(8_000).Write(0.5, (t, _) => TestWave.Sine(t, 0.95, 440));
        await MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/media/quiet.wav", quiet);
        await MosquittoPub.PublishFileAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/media/loud.wav", loud);

        var alert = await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}"))!["items"]!.AsArray()
            .FirstOrDefault(), "the loud noise alert");
        Assert.Equal("LoudNoise", alert!["type"]!.GetValue<string>());
        Assert.StartsWith("loud.wav: ", alert["message"]!.GetValue<string>());
        await _app.EventuallyAsync(async () =>
        {
            var runtime = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{id}"))!["runtime"]!["nodes"]!.AsArray()
                .ToDictionary(n => n!["nodeId"]!.GetValue<string>(), n => n!["in"]!.GetValue<long>());
            return runtime.GetValueOrDefault("loud") == 2 ? runtime : null;
        }, "both recordings through the filter");
        // The quiet one, first in the device's order, went through the filter without raising anything.
        var alerts = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}"))!["items"]!.AsArray();
        Assert.Equal(1, Assert.Single(alerts)!["count"]!.GetValue<int>());
    }

    private async Task<JsonObject> MessageAsync(HttpClient api, Guid deviceId, string state) =>
        (JsonObject)(await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{deviceId}/messages"))!
            .FirstOrDefault(m => m!["state"]!.GetValue<string>() == state), $"a {state} message"))!;

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api, string name, Guid? entityId = null)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], entityId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }

    private HttpClient DeviceClient(string key, string secret)
    {
        var client = new HttpClient { BaseAddress = new Uri(_app.BaseAddress) };
        client.DefaultRequestHeaders.Authorization = Basic(key, secret);
        return client;
    }

    private static AuthenticationHeaderValue Basic(string key, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));

    private static ByteArrayContent Body(byte[] bytes, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static MultipartFormDataContent Form(byte[] bytes, string name) => new() { { new ByteArrayContent(bytes), "file", name } };

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static async Task<string> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"curl failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
