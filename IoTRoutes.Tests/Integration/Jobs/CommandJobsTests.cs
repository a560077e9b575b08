using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>SendCommandToMany in a manual job: one command per device of the job's entity, recorded as users' commands are.</summary>
public sealed class CommandJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    [Fact]
    public async Task A_job_sends_one_command_to_each_device_it_names_and_to_none_outside_its_entity()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = (await (await api.PostAsJsonAsync("/api/v1/entities", new { name = $"Site {Guid.NewGuid():N}"[..13], type = "Organisation" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var valves = new[] { await api.CreateDeviceAsync($"Valve 1 {Guid.NewGuid():N}"[..15], site), await api.CreateDeviceAsync($"Valve 2 {Guid.NewGuid():N}"[..15], site) };
        var outside = await api.CreateDeviceAsync($"Outside {Guid.NewGuid():N}"[..15]);
        var id = await PublishedAsync(api, "Close all", """
            {"nodes":[{"id":"start","type":"Manual","settings":{"parameters":[{"name":"percent","type":"Integer","default":"0"}]}},
                      {"id":"close","type":"SendCommandToMany","settings":{"name":"set-valve","payload":{"percent":"percent","by":"'job'"}}}],
             "links":[{"from":"start","to":"close"}]}
            """, site);

        var run = await api.PostAsJsonAsync($"/api/v1/jobs/{id}/run", new { parameters = new { percent = 10 } });
        var runId = (await run.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
        await _app.EventuallyAsync(async () =>
            (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs?status=Succeeded"))!.FirstOrDefault(), "the run");

        var result = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runId}"))!["trace"]!["steps"]![1]!["output"]!["fields"]!["commands"]!;
        Assert.Equal((2, 0), (result["sent"]!.GetValue<int>(), result["refused"]!.GetValue<int>()));
        foreach (var valve in valves)
        {
            var command = Assert.Single((await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{valve.Id}/commands"))!)!;
            Assert.Equal(("set-valve", "Pending"), (command["name"]!.GetValue<string>(), command["status"]!.GetValue<string>()));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"percent":10,"by":"job"}"""), JsonNode.Parse(command["payload"]!.GetValue<string>())), command.ToJsonString());
        }

        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{outside.Id}/commands"))!);
    }
}
