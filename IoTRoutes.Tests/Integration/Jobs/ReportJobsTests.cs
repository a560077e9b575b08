using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Infrastructure;
using UglyToad.PdfPig;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;

namespace IoTRoutes.Tests.Integration.Jobs;

/// <summary>The Report action in a manual job: real messages from mosquitto_pub, the CSV and the PDF read back.</summary>
public sealed class ReportJobsTests(JobsApp app) : IClassFixture<JobsApp>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    [Fact]
    public async Task A_report_summarises_each_devices_telemetry_of_the_jobs_entity_into_a_csv_and_a_pdf_with_a_chart()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var plant = (await (await api.PostAsJsonAsync("/api/v1/entities", new { name = $"Plant {Guid.NewGuid():N}"[..14], type = "Organisation" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var pumpA = await api.CreateDeviceAsync($"Pump A {Guid.NewGuid():N}"[..14], plant);
        var pumpB = await api.CreateDeviceAsync($"Pump B {Guid.NewGuid():N}"[..14], plant);
        var outside = await api.CreateDeviceAsync($"Elsewhere {Guid.NewGuid():N}"[..17]);
        foreach (var (device, payload) in new[] { (pumpA, """{"temp":20}"""), (pumpA, """{"temp":30,"hum":50}"""), (pumpB, """{"temp":10}"""), (outside, """{"temp":99}""") })
        {
            await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", payload);
        }

        var id = await PublishedAsync(api, "Plant report", """
            {"nodes":[{"id":"start","type":"Manual","settings":{"parameters":[{"name":"site","type":"Text","required":true}]}},
                      {"id":"query","type":"QueryTelemetry","settings":{"period":"1h","fields":["temp"]}},
                      {"id":"report","type":"Report","settings":{"title":"Plant report {{ site }}","period":"1h","formats":["Csv","Pdf"]}}],
             "links":[{"from":"start","to":"query"},{"from":"query","to":"report"}]}
            """, plant);
        var run = await api.PostAsJsonAsync($"/api/v1/jobs/{id}/run", new { parameters = new { site = "North" } });
        var runId = (await run.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
        await _app.EventuallyAsync(async () =>
            (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{id}/runs?status=Succeeded"))!.FirstOrDefault(), "the report run", TimeSpan.FromSeconds(30));

        var trace = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runId}"))!;
        // QueryTelemetry put the devices' temp in the item, for the nodes after it.
        var telemetry = trace["trace"]!["steps"]![1]!["output"]!["fields"]!["telemetry"]!.AsArray();
        var a = telemetry.Single(t => t!["device"]!.GetValue<string>() == pumpA.Name)!["fields"]!["temp"]!;
        Assert.Equal((2, 20.0, 30.0, 25.0, 30.0), (a["count"]!.GetValue<int>(), a["min"]!.GetValue<double>(), a["max"]!.GetValue<double>(),
            a["mean"]!.GetValue<double>(), a["last"]!.GetValue<double>()));
        Assert.Equal(2, telemetry.Count);
        var report = trace["trace"]!["steps"]![2]!["output"]!["fields"]!["report"]!;
        Assert.Equal(2, report["devices"]!.GetValue<int>());
        var files = report["files"]!.AsArray().ToDictionary(f => f!["contentType"]!.GetValue<string>(), f => f!["id"]!.GetValue<Guid>());

        var csv = Encoding.UTF8.GetString(await api.GetByteArrayAsync($"/api/v1/files/{files["text/csv"]}"));
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.TrimEnd('\r').Split(',')).ToList();
        Assert.Equal(["device", "entity", "field", "unit", "count", "min", "max", "mean", "alerts", "from", "to"], rows[0]);
        Assert.Contains(rows, r => r[0] == pumpA.Name && r[2] == "temp" && r[4..8].SequenceEqual(["2", "20", "30", "25"]));
        Assert.Contains(rows, r => r[0] == pumpA.Name && r[2] == "hum" && r[4..8].SequenceEqual(["1", "50", "50", "50"]));
        Assert.Contains(rows, r => r[0] == pumpB.Name && r[2] == "temp" && r[4..8].SequenceEqual(["1", "10", "10", "10"]));
        Assert.DoesNotContain(rows, r => r[0] == outside.Name); // not in the job's entity

        using var pdf = PdfDocument.Open(await api.GetByteArrayAsync($"/api/v1/files/{files["application/pdf"]}"));
        var text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
        Assert.Contains("Plant report North", text);
        Assert.Contains(pumpA.Name, text);
        Assert.Contains("25", text); // the mean of pump A's temp
        Assert.DoesNotContain(outside.Name, text);
        Assert.True(pdf.GetPages().Sum(p => p.GetImages().Count()) >= 1, "a chart image");
    }
}
