using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Communicators.FileTransfer;
using IoTRoutes.Tests.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;
using IoTRoutes.Tests.Integration.Jobs;
using Microsoft.Extensions.DependencyInjection;
using static IoTRoutes.Tests.Integration.Jobs.ManualJobsTests;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>
/// UploadFile and ForwardToMqtt in published workflows: a manual job's report to a real sshd over SFTP and a CSV of its
/// telemetry to a real vsftpd, a failed login in the run's trace, and a device's reading forwarded through a bridge to
/// a real mosquitto, read by mosquitto_sub with the run's effect key.
/// </summary>
public sealed class TransferActionsTests(JobsApp app, VsftpdServer ftp, SshdServer sftp)
    : IClassFixture<JobsApp>, IClassFixture<VsftpdServer>, IClassFixture<SshdServer>
{
    private readonly JobsApp _app = (JobsApp)app.Started();

    [Fact]
    public async Task A_job_uploads_its_report_over_SFTP_and_a_CSV_of_the_telemetry_over_FTP()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await EntityAsync(api, "Site");
        var pump = await api.CreateDeviceAsync($"Pump {Guid.NewGuid():N}"[..12], site);
        await MosquittoPub.PublishAsync(_app.MqttPort, pump.Key, pump.Secret, $"devices/{pump.Key}/telemetry", """{"temp":21.5}""");
        await _app.EventuallyAsync(async () => (await api.GetFromJsonAsync<JsonArray>($"/api/v1/devices/{pump.Id}/messages"))!.FirstOrDefault(), "the reading");
        var sftpId = await CommunicatorAsync(api, new JsonObject
        {
            ["name"] = $"Archive {Guid.NewGuid():N}"[..16], ["kind"] = "Sftp", ["host"] = "127.0.0.1", ["port"] = sftp.Port, ["username"] = sftp.Account.Name,
            ["password"] = sftp.Account.Password, ["hostKeyFingerprint"] = sftp.HostKeyFingerprint, ["directory"] = "inbox",
        });
        var ftpId = await CommunicatorAsync(api, FtpBody(ftp.Account.Password));
        var tag = Guid.NewGuid().ToString("N")[..8];
        var job = await PublishedAsync(api, "Export", $$$"""
            {"nodes":[{"id":"start","type":"Manual"},
                      {"id":"query","type":"QueryTelemetry","settings":{"period":"1h"}},
                      {"id":"report","type":"Report","settings":{"title":"Export {{{tag}}}","period":"1h","formats":["Csv"]}},
                      {"id":"archive","type":"UploadFile","settings":{"communicator":"{{{sftpId}}}","source":"Report"}},
                      {"id":"csv","type":"UploadFile","settings":{"communicator":"{{{ftpId}}}","source":"Csv","rows":"telemetry","name":"telemetry-{{{tag}}}.csv"}}],
             "links":[{"from":"start","to":"query"},{"from":"query","to":"report"},{"from":"report","to":"archive"},{"from":"query","to":"csv"}]}
            """, site);

        var runId = await RunAsync(api, job);
        var run = await _app.EventuallyAsync(async () => await FinishedAsync(api, job, runId), "the export run", TimeSpan.FromSeconds(30));

        Assert.True(run["status"]!.GetValue<string>() == "Succeeded", run.ToJsonString());
        var archived = Assert.Single(Directory.GetFiles(sftp.Inbox, $"Export {tag} *.csv"));
        Assert.Contains(pump.Name, await File.ReadAllTextAsync(archived));
        var lines = await File.ReadAllLinesAsync(Path.Combine(ftp.Inbox, $"telemetry-{tag}.csv"));
        Assert.Equal("deviceId,device,entity,alerts,fields.temp.count,fields.temp.min,fields.temp.max,fields.temp.mean,fields.temp.last,fields.temp.lastAt,fields.temp.unit", lines[0]);
        Assert.StartsWith($"{pump.Id},{pump.Name},", lines[1]);
        Assert.Contains(",1,21.5,21.5,21.5,21.5,", lines[1]);
        Assert.Equal(2, lines.Length);
        Assert.Empty(Directory.GetFiles(ftp.Inbox, "*.part")); // written aside, renamed when whole
    }

    [Fact]
    public async Task A_refused_login_fails_the_run_with_the_reason_and_shows_as_the_communicators_last_error()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var site = await EntityAsync(api, "Depot");
        var ftpId = await CommunicatorAsync(api, FtpBody("not-the-password"));
        var job = await PublishedAsync(api, "Export", $$$"""
            {"nodes":[{"id":"start","type":"Manual","settings":{"parameters":[{"name":"site","type":"Text","default":"North"}]}},
                      {"id":"csv","type":"UploadFile","settings":{"communicator":"{{{ftpId}}}","source":"Csv","name":"never.csv"}}],
             "links":[{"from":"start","to":"csv"}]}
            """, site);

        var runId = await RunAsync(api, job);
        var run = await _app.EventuallyAsync(async () => await FinishedAsync(api, job, runId), "the failed run", TimeSpan.FromSeconds(60));

        Assert.Equal("Failed", run["status"]!.GetValue<string>());
        var detail = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/runs/{runId}"))!.ToJsonString();
        Assert.True(detail.Contains("Not uploaded:"), detail);
        Assert.Contains("530", detail); // vsftpd's "Login incorrect"
        Assert.DoesNotContain("not-the-password", detail);
        var communicator = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/communicators/{ftpId}"))!;
        Assert.Contains("530", communicator["lastError"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(ftp.Inbox, "never.csv")));
    }

    [Fact]
    public async Task A_reading_is_forwarded_through_a_bridge_with_the_runs_effect_key()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Meter {Guid.NewGuid():N}"[..13]);
        var bridge = await CommunicatorAsync(api, new JsonObject
        {
            ["name"] = $"Partner {Guid.NewGuid():N}"[..16], ["kind"] = "MqttBridge", ["host"] = "127.0.0.1", ["port"] = broker.Port,
            ["username"] = MosquittoBroker.User, ["password"] = broker.Password,
        });
        var supervisor = _app.Services.GetRequiredService<MqttBridgeSupervisor>();
        await _app.EventuallyAsync(() => Task.FromResult(supervisor.StateOf(bridge) is { Status: MqttBridgeStatus.Connected } s ? s : null), "the bridge connected");
        await using var sub = await MosquittoSub.StartAsync(broker, "partner/#", format: "%t %p %P");
        await PublishedAsync(api, "Forward", $$$"""
            {"nodes":[{"id":"in","type":"OnMessage","settings":{"deviceIds":["{{{device.Id}}}"]}},
                      {"id":"out","type":"ForwardToMqtt","settings":{"communicator":"{{{bridge}}}","topic":"partner/{{ device.key }}/temp","payload":"{{ temp }}","qos":"1"}}],
             "links":[{"from":"in","to":"out"}]}
            """);

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":19.25}""");

        var line = await sub.NextMessageAsync();
        Assert.Matches($"^partner/{device.Key}/temp 19.25 {MqttBridgeConnection.EffectKeyProperty}:[0-9a-f]{{32}}/out$", line);
    }

    [Fact]
    public async Task The_designer_offers_the_communicators_of_the_kind_that_the_workflows_entity_may_use()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var parent = await EntityAsync(api, "Region");
        var child = await EntityAsync(api, "Plant", parent);
        var sibling = await EntityAsync(api, "Other", parent);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var above = await CommunicatorAsync(api, MailBody($"Mail above {tag}", parent));
        var own = await CommunicatorAsync(api, MailBody($"Mail own {tag}", child));
        await CommunicatorAsync(api, MailBody($"Mail sibling {tag}", sibling));
        await CommunicatorAsync(api, new JsonObject { ["name"] = $"Api {tag}", ["kind"] = "Http", ["baseUrl"] = "https://api.example.com", ["entityId"] = child });
        var workflow = await PublishedAsync(api, "Mailer", """{"nodes":[{"id":"start","type":"Manual"},{"id":"log","type":"Log","settings":{"message":"ran"}}],"links":[{"from":"start","to":"log"}]}""", child);

        var options = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/references/MailCommunicator?search={tag}"))!;

        Assert.Equal(new[] { above, own }.Order(), options.Select(o => o!["id"]!.GetValue<Guid>()).Order());
        Assert.Empty((await api.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/references/FileCommunicator?search={tag}"))!);
        var wrongKind = await api.GetAsync($"/api/v1/workflows/{workflow}/references/Printer");
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
    }

    private JsonObject FtpBody(string password) => new()
    {
        ["name"] = $"Drop {Guid.NewGuid():N}"[..13], ["kind"] = "Ftp", ["host"] = "127.0.0.1", ["port"] = ftp.PlainPort, ["username"] = ftp.Account.Name,
        ["password"] = password, ["directory"] = "inbox", ["security"] = "None", ["timeoutSeconds"] = 10,
    };

    private static JsonObject MailBody(string name, Guid entityId) => new()
    {
        ["name"] = name, ["kind"] = "Smtp", ["host"] = "127.0.0.1", ["port"] = 2525, ["security"] = "None", ["sender"] = "iot@plant.example", ["entityId"] = entityId,
    };

    private static async Task<Guid> EntityAsync(HttpClient api, string name, Guid? parentId = null)
    {
        var response = await api.PostAsJsonAsync("/api/v1/entities", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], type = "Organisation", parentId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<Guid> CommunicatorAsync(HttpClient api, JsonObject body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<Guid> RunAsync(HttpClient api, Guid job)
    {
        var response = await api.PostAsJsonAsync($"/api/v1/jobs/{job}/run", new { });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!.GetValue<Guid>();
    }

    private static async Task<JsonObject?> FinishedAsync(HttpClient api, Guid job, Guid runId) =>
        (await api.GetFromJsonAsync<JsonArray>($"/api/v1/jobs/{job}/runs"))!
        .FirstOrDefault(r => r!["id"]!.GetValue<Guid>() == runId && r["status"]!.GetValue<string>() is "Succeeded" or "Failed") as JsonObject;
}
