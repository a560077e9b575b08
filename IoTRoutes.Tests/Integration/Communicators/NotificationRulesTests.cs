using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Communicators.Smtp;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>
/// Notification rules end to end: a device publishes over MQTT (mosquitto_pub), a workflow raises an alert, the rule's mail
/// reaches a real SMTP server (aiosmtpd), and the alert lists what was sent; a mail server that refuses is retried.
/// </summary>
public sealed class NotificationRulesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task An_alert_raised_over_MQTT_is_mailed_by_its_rule_and_the_alert_lists_the_notification()
    {
        await using var server = await SmtpTestServer.StartAsync();
        using var api = await _app.CreateAuthenticatedClientAsync();
        var type = $"Hot{Guid.NewGuid():N}"[..12];
        var mail = await CreateCommunicatorAsync(api, new { name = $"Mail {Guid.NewGuid():N}", kind = "Smtp", host = "127.0.0.1", port = server.Port, security = "None", sender = "iot@plant.example" });
        var rule = await api.PostAsJsonAsync("/api/v1/notification-rules", new
        {
            name = "Hot rooms to ops", alertTypes = new[] { type }, minSeverity = "Major", communicatorId = mail, recipients = "ops@example.com, night@example.com",
            subjectTemplate = "{{ alert.type }} on {{ device.name }}",
        });
        Assert.True(rule.StatusCode == HttpStatusCode.Created, await rule.Content.ReadAsStringAsync());
        var device = await CreateDeviceAsync(api);
        await PublishWorkflowAsync(api, type);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":35}""");

        var received = await _app.EventuallyAsync(() => Task.FromResult(server.Received().FirstOrDefault()), "the alert's mail");
        Assert.Equal($"{type} on {device.Name}", received!.Subject);
        Assert.Equal(["night@example.com", "ops@example.com"], received.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Contains("is at 35", received.TextBody); // the default body carries the alert's message
        var alert = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}"))!["items"]![0]!;
        var sent = await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/alerts/{alert["id"]}/notifications"))!
            .FirstOrDefault(n => n!["status"]!.GetValue<string>() == "Sent"), "the notification recorded as sent", TimeSpan.FromSeconds(60));
        Assert.Equal(("Hot rooms to ops", "Raised", "Smtp", 1), (sent!["ruleName"]!.GetValue<string>(), sent["event"]!.GetValue<string>(),
            sent["kind"]!.GetValue<string>(), sent["attempts"]!.GetValue<int>()));
        Assert.Single(server.Received()); // once, not once per node or retry
    }

    [Fact]
    public async Task A_refusing_mail_server_leaves_the_notification_pending_with_the_reason_and_bad_rules_are_refused_by_field()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var closed = FreePort.Next();
        var type = $"Leak{Guid.NewGuid():N}"[..12];
        var mail = await CreateCommunicatorAsync(api, new { name = $"Down {Guid.NewGuid():N}", kind = "Smtp", host = "127.0.0.1", port = closed, security = "None", sender = "iot@plant.example", timeoutSeconds = 5 });
        var ftp = await CreateCommunicatorAsync(api, new { name = $"Ftp {Guid.NewGuid():N}", kind = "Ftp", host = "127.0.0.1", username = "u", password = "p" });
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/notification-rules", new { name = "Leaks", alertTypes = new[] { type }, communicatorId = mail, recipients = "ops@example.com" })).StatusCode);

        var badKind = await api.PostAsJsonAsync("/api/v1/notification-rules", new { name = "By FTP", communicatorId = ftp, recipients = "x" });
        var badAddress = await api.PostAsJsonAsync("/api/v1/notification-rules", new { name = "Typo", communicatorId = mail, recipients = "ops@@example" });
        var badTemplate = await api.PostAsJsonAsync("/api/v1/notification-rules", new { name = "Broken", communicatorId = mail, recipients = "ops@example.com", bodyTemplate = "{{ alert.type " });
        Assert.Contains("cannot carry notifications", (await ErrorsAsync(badKind))["communicatorId"]![0]!.GetValue<string>());
        Assert.Contains("ops@@example", (await ErrorsAsync(badAddress))["recipients"]![0]!.GetValue<string>());
        Assert.Contains("does not parse", (await ErrorsAsync(badTemplate))["bodyTemplate"]![0]!.GetValue<string>());

        var device = await CreateDeviceAsync(api);
        await PublishWorkflowAsync(api, type);
        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":40}""");

        var alert = await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonObject>($"/api/v1/alerts?deviceId={device.Id}"))!["items"]!.AsArray().FirstOrDefault(), "the alert");
        var pending = await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/alerts/{alert!["id"]}/notifications"))!
            .FirstOrDefault(n => n!["attempts"]!.GetValue<int>() >= 1), "a first attempt");
        Assert.Equal("Pending", pending!["status"]!.GetValue<string>()); // refused is transient: tried again later
        Assert.Contains($"127.0.0.1:{closed} refused the connection", pending["error"]!.GetValue<string>());
    }

    private async Task PublishWorkflowAsync(HttpClient api, string alertType)
    {
        var created = await api.PostAsJsonAsync("/api/v1/workflows", JsonNode.Parse($$$"""
            {"name": "Hot {{{Guid.NewGuid():N}}}", "definition": {
              "nodes": [
                {"id": "in",    "type": "OnMessage",  "settings": {"exchangeType": "Telemetry"}},
                {"id": "hot",   "type": "Filter",     "settings": {"condition": "temp > 30"}},
                {"id": "alert", "type": "RaiseAlert", "settings": {"alertType": "{{{alertType}}}", "severity": "Critical", "message": "{{ device.name }} is at {{ temp }} °C"}}],
              "links": [{"from": "in", "to": "hot"}, {"from": "hot", "fromPort": "true", "to": "alert"}]}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { })).StatusCode);
    }

    private static async Task<Guid> CreateCommunicatorAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<CreatedDeviceBody> CreateDeviceAsync(HttpClient api)
    {
        var response = await api.PostAsJsonAsync("/api/v1/devices", new { name = $"Boiler {Guid.NewGuid():N}"[..15] });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
    }

    private static async Task<JsonObject> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        return JsonNode.Parse(body)!["errors"]!.AsObject();
    }
}
