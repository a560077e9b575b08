using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Core.Media;
using IoTRoutes.Tests.Integration.Files;
using SkiaSharp;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;
using static IoTRoutes.Tests.Integration.Workflows.WorkflowsApiTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>InterpretMedia in a manual job: a stored image read into fields; another entity's file is not the job's to read.</summary>
public sealed class MediaJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    [Fact]
    public async Task A_job_reads_a_stored_image_into_fields_and_cannot_read_a_file_of_another_entity()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await CreateEntityAsync(api, "Cameras");
        var other = await CreateEntityAsync(api, "Others");
        var photo = await UploadAsync(api, TestImages.Solid(64, 32, SKColors.White), "camera.png", site);
        var foreign = await UploadAsync(api, TestImages.Solid(8, 8, SKColors.Black), "foreign.png", other);
        var id = await PublishedAsync(api, "Read a photo", """
            {"nodes":[{"id":"start","type":"Manual","settings":{"parameters":[{"name":"fileId","type":"Text","required":true}]}},
                      {"id":"read","type":"InterpretMedia"}],
             "links":[{"from":"start","to":"read"}]}
            """, site);

        var good = await RunAndWaitAsync(api, id, photo, "Succeeded");
        var bad = await RunAndWaitAsync(api, id, foreign, "Failed");

        var media = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{good}"))!["trace"]!["steps"]![1]!["output"]!["fields"]!["media"]!;
        Assert.Equal(("image/png", 64, 32), (media["mediaType"]!.GetValue<string>(), media["width"]!.GetValue<int>(), media["height"]!.GetValue<int>()));
        Assert.Equal(1.0, media["brightness"]!.GetValue<double>(), 2);
        var failed = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs?status=Failed"))!.Single(r => r!["id"]!.GetValue<Guid>() == bad)!;
        Assert.Equal("read", failed["failedNode"]!.GetValue<string>());
        Assert.Contains("No file", failed["error"]!.GetValue<string>());
    }

    private static async Task<Guid> UploadAsync(HttpClient api, byte[] bytes, string name, Guid entity)
    {
        var response = await FilesApiTests.UploadAsync(api, bytes, name, "image/png", entity);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private async Task<Guid> RunAndWaitAsync(HttpClient api, Guid job, Guid fileId, string status)
    {
        var run = await api.PostAsJsonAsync($"/api/v1/jobs/{job}/run", new { parameters = new { fileId = fileId.ToString() } });
        var runId = (await run.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
        await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{job}/runs?status={status}"))!
            .FirstOrDefault(r => r!["id"]!.GetValue<Guid>() == runId), $"run {runId} {status}");
        return runId;
    }
}
