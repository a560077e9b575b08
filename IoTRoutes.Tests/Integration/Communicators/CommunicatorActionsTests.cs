using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Communicators.Http;
using IoTRoutes.Tests.Communicators.Smtp;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>
/// The SendEmail and HttpRequest actions in a published workflow fed by mosquitto_pub: the mail reaches aiosmtpd, the
/// request reaches a real Kestrel API with the run's idempotency key, and its answer goes on in the item.
/// </summary>
public sealed class CommunicatorActionsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task A_workflow_mails_through_a_mail_communicator()
    {
        await using var smtp = await SmtpTestServer.StartAsync();
        using var api = await _app.CreateAuthenticatedClientAsync();
        var mail = await CreateAsync(api, new { name = $"Mail {Guid.NewGuid():N}", kind = "Smtp", host = "127.0.0.1", port = smtp.Port, security = "None", sender = "iot@plant.example" });
        var device = await DeviceAsync(api);
        await PublishAsync(api, $$$"""
            {"nodes": [{"id": "in", "type": "OnMessage", "settings": {"deviceIds": ["{{{device.Id}}}"]}},
                       {"id": "mail", "type": "SendEmail", "settings": {"communicator": "{{{mail}}}", "to": "ops@example.com",
                        "subject": "{{ device.name }} at {{ temp }}", "text": "Temperature {{ temp }} °C", "html": "<p>{{ note }}</p>"}}],
             "links": [{"from": "in", "to": "mail"}]}
            """);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":31,"note":"<b>hot</b>"}""");

        var received = await _app.EventuallyAsync(() => Task.FromResult(smtp.Received().FirstOrDefault()), "the workflow's mail");
        Assert.Equal($"{device.Name} at 31", received!.Subject);
        Assert.Equal("Temperature 31 °C", received.TextBody!.Trim());
        Assert.Equal("<p>&lt;b&gt;hot&lt;/b&gt;</p>", received.HtmlBody!.Trim()); // the device's text stays text
    }

    [Fact]
    public async Task A_workflow_posts_to_an_API_with_its_idempotency_key_and_goes_on_with_the_answer()
    {
        var seen = new ConcurrentQueue<(string Body, string? Key)>();
        await using var target = await TestHttpServer.StartAsync(web => web.MapPost("/api/readings/{key}", async (HttpContext context, string key) =>
        {
            seen.Enqueue((await new StreamReader(context.Request.Body).ReadToEndAsync(), context.Request.Headers["Idempotency-Key"].FirstOrDefault()));
            return Results.Json(new { accepted = true, device = key });
        }));
        using var api = await _app.CreateAuthenticatedClientAsync();
        var http = await CreateAsync(api, new { name = $"Api {Guid.NewGuid():N}", kind = "Http", baseUrl = $"{target.BaseUrl}/api", idempotencyKeyHeader = "Idempotency-Key" });
        var device = await DeviceAsync(api);
        var workflow = await PublishAsync(api, $$$"""
            {"nodes": [{"id": "in", "type": "OnMessage", "settings": {"deviceIds": ["{{{device.Id}}}"]}},
                       {"id": "post", "type": "HttpRequest", "settings": {"communicator": "{{{http}}}", "method": "POST",
                        "path": "readings/{{ device.key }}", "body": "{\"temp\": {{ temp }} }"}},
                       {"id": "keep", "type": "SetAttribute", "settings": {"attributes": {"accepted": "response.body.accepted", "status": "response.status"} } }],
             "links": [{"from": "in", "to": "post"}, {"from": "post", "to": "keep"}]}
            """);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":22.5}""");

        await _app.EventuallyAsync(() => Task.FromResult(seen.IsEmpty ? null : "called"), "the API called");
        JsonArray attributes;
        try
        {
            attributes = await _app.EventuallyAsync(async () =>
            {
                var all = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{device.Id}/attributes"))!;
                return all.Count == 2 ? all : null;
            }, "the answer kept as attributes");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Runs: {await api.GetStringAsync($"/api/v1/workflows/{workflow}/runs")}", e);
        }
        var byKey = attributes.ToDictionary(a => a!["key"]!.GetValue<string>(), a => a!["value"]!.ToJsonString());
        Assert.Equal(("true", "200"), (byKey["accepted"], byKey["status"]));
        var (body, key) = Assert.Single(seen);
        Assert.Equal("""{"temp": 22.5 }""", body);
        Assert.Matches("^[0-9a-f]{32}/post$", key!); // the run's effect key: the same on a retry, the same after a crash
    }

    private async Task<Guid> PublishAsync(HttpClient api, string definition)
    {
        var created = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject { ["name"] = $"Integration {Guid.NewGuid():N}", ["definition"] = JsonNode.Parse(definition) });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var published = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task<Guid> CreateAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<CreatedDeviceBody> DeviceAsync(HttpClient api)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"Probe {Guid.NewGuid():N}"[..14] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }
}
