using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Alerts;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>OnAlert jobs: queued when an alert is raised, acknowledged or cleared, filtered, with the alert's device.</summary>
public sealed class AlertJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    [Fact]
    public async Task An_alert_raised_then_acknowledged_runs_the_jobs_that_follow_its_type_and_events_with_its_device()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Alerting pump");
        var type = $"Overheat{Guid.NewGuid():N}"[..20];
        var follows = await PublishedAsync(api, "Follows both", """
            {"nodes":[{"id":"on","type":"OnAlert","settings":{"events":["Raised","Acknowledged"],"alertTypes":["TYPE"]}},
                      {"id":"log","type":"Log","settings":{"message":"{{ device.name }}: {{ alertType }} {{ event }}"}}],
             "links":[{"from":"on","to":"log"}]}
            """.Replace("TYPE", type));
        var criticalOnly = await PublishedAsync(api, "Critical only", """
            {"nodes":[{"id":"on","type":"OnAlert","settings":{"severities":["Critical"]}},{"id":"tell","type":"Notify","settings":{"to":"ops"}}],
             "links":[{"from":"on","to":"tell"}]}
            """);

        var raised = await _app.Services.GetRequiredService<AlertRaiser>()
            .RaiseAsync(new AlertRaise(device.Id, type, AlertSeverity.Major, "pump at 95 °C", null, null, null), default);
        var ack = await api.PostAsync($"/api/v1/alerts/{raised!.AlertId}/acknowledge", null);

        Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());
        var runs = await _app.EventuallyAsync(async () =>
        {
            var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{follows}/runs?status=Succeeded"))!;
            return list.Count >= 2 ? list : null;
        }, "a run for the raise and one for the acknowledgement");
        Assert.Equal(["Acknowledged", "Raised"], runs.Select(r => r!["parameters"]!["event"]!.GetValue<string>()));
        Assert.All(runs, r => Assert.Equal(("OnAlert", device.Id, raised.AlertId), (r!["trigger"]!.GetValue<string>(), r["deviceId"]!.GetValue<Guid>(),
            r["parameters"]!["alertId"]!.GetValue<Guid>())));
        Assert.Equal(IoTRoutesApp.AdminEmail, runs[0]!["requestedBy"]!.GetValue<string>());
        var trace = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runs[1]!["id"]}"))!;
        Assert.Contains("Alerting pump", trace["trace"]!["steps"]![0]!["input"]!.ToJsonString()); // the item carries the device
        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{criticalOnly}/runs"))!); // a Major alert
    }
}
