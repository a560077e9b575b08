using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Communicators;
using IoTRoutes.Tests.Communicators.FileTransfer;
using TestCertificates = IoTRoutes.Tests.Communicators.TestCertificates;
using IoTRoutes.Tests.Communicators.Http;
using IoTRoutes.Tests.Communicators.MqttBridge;
using IoTRoutes.Tests.Communicators.Smtp;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>The app, logging everything from Debug up into <see cref="Log"/>.</summary>
public sealed class LoggedApp() : IoTRoutesApp(TestDatabase.Sqlite())
{
    public EveryLogLine Log { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Log).AddFilter<EveryLogLine>(null, LogLevel.Debug));
    }
}

/// <summary>
/// Secrets of every kind of communicator, used against real servers (refused logins, a 401, a bridge that connects and
/// forwards, workflow runs that fail on them), and then looked for everywhere they must never be: the app's whole log
/// from Debug up with exceptions in full, every answer of the API about communicators, runs and the audit log.
/// </summary>
public sealed class SecretsNeverShownTests(LoggedApp app, VsftpdServer ftp, SshdServer sftp)
    : IClassFixture<LoggedApp>, IClassFixture<VsftpdServer>, IClassFixture<SshdServer>, IDisposable
{
    private readonly LoggedApp _app = (LoggedApp)app.Started();
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly string _tag = Guid.NewGuid().ToString("N")[..10];

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task No_secret_appears_in_the_log_or_in_any_answer_after_communicators_succeed_and_fail()
    {
        var secrets = new Dictionary<string, string>
        {
            ["smtp"] = $"smtp-pw-{_tag}", ["bearer"] = $"bearer-{_tag}", ["oauth"] = $"client-secret-{_tag}", ["ftp"] = $"ftp-pw-{_tag}",
            ["sftp"] = $"sftp-pw-{_tag}",
        };
        await using var smtp = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", "the-right-one");
        await using var http = await TestHttpServer.StartAsync(web =>
        {
            web.MapPost("/token", () => Results.Json(new { error = "invalid_client" }, statusCode: 401));
            web.MapFallback(() => Results.StatusCode(401));
        });
        await using var broker = await MosquittoBroker.StartAsync();
        secrets["mqtt"] = broker.Password; // the right one: this bridge connects
        using var api = await _app.CreateAuthenticatedClientAsync();

        var ids = new List<Guid>
        {
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "Mail", ["kind"] = "Smtp", ["host"] = "127.0.0.1", ["port"] = smtp.Port, ["security"] = "StartTls", ["username"] = "alerts",
                ["password"] = secrets["smtp"], ["sender"] = "iot@plant.example", ["caCertificatePem"] = _certificates.AuthorityPem,
            }),
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "Bearer API", ["kind"] = "Http", ["baseUrl"] = $"{http.BaseUrl}/api", ["retries"] = 0,
                ["authentication"] = new JsonObject { ["type"] = "Bearer", ["token"] = secrets["bearer"] },
            }),
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "OAuth API", ["kind"] = "Http", ["baseUrl"] = $"{http.BaseUrl}/api", ["retries"] = 0,
                ["authentication"] = new JsonObject
                {
                    ["type"] = "OAuth2ClientCredentials", ["tokenUrl"] = $"{http.BaseUrl}/token", ["clientId"] = "iot", ["clientSecret"] = secrets["oauth"],
                },
            }),
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "Drop", ["kind"] = "Ftp", ["host"] = "127.0.0.1", ["port"] = ftp.PlainPort, ["username"] = ftp.Account.Name,
                ["password"] = secrets["ftp"], ["directory"] = "inbox", ["security"] = "None", ["timeoutSeconds"] = 10,
            }),
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "Archive", ["kind"] = "Sftp", ["host"] = "127.0.0.1", ["port"] = sftp.Port, ["username"] = sftp.Account.Name,
                ["password"] = secrets["sftp"], ["hostKeyFingerprint"] = sftp.HostKeyFingerprint, ["directory"] = "inbox", ["timeoutSeconds"] = 10,
            }),
            await CreateAsync(api, new JsonObject
            {
                ["name"] = "Partner", ["kind"] = "MqttBridge", ["host"] = "127.0.0.1", ["port"] = broker.Port, ["username"] = MosquittoBroker.User,
                ["password"] = secrets["mqtt"],
            }),
        };
        var answers = new List<string>();
        foreach (var id in ids)
        {
            var test = await api.PostAsJsonAsync($"/api/v1/communicators/{id}/test", new { to = "ops@example.com" });
            answers.Add(await test.Content.ReadAsStringAsync());
        }

        var tests = answers.ToList();
        var supervisor = _app.Services.GetRequiredService<MqttBridgeSupervisor>();
        await _app.EventuallyAsync(() => Task.FromResult(supervisor.StateOf(ids[5]) is { Status: MqttBridgeStatus.Connected } s ? s : null), "the bridge connected");
        var device = await api.CreateDeviceAsync($"Leak {_tag}");
        string[] actions =
        [
            $$$"""{"type":"SendEmail","settings":{"communicator":"{{{ids[0]}}}","to":"ops@example.com","subject":"s","text":"t"}}""",
            $$$"""{"type":"HttpRequest","settings":{"communicator":"{{{ids[1]}}}","method":"POST","path":"readings"}}""",
            $$$"""{"type":"HttpRequest","settings":{"communicator":"{{{ids[2]}}}","method":"POST","path":"readings"}}""",
            $$$"""{"type":"UploadFile","settings":{"communicator":"{{{ids[3]}}}","source":"Csv","name":"x.csv"}}""",
            $$$"""{"type":"UploadFile","settings":{"communicator":"{{{ids[4]}}}","source":"Csv","name":"x.csv"}}""",
            $$$"""{"type":"ForwardToMqtt","settings":{"communicator":"{{{ids[5]}}}","topic":"partner/t"}}""",
        ];
        var workflows = new List<Guid>();
        foreach (var action in actions)
        {
            var node = JsonNode.Parse(action)!.AsObject();
            node["id"] = "use";
            workflows.Add(await PublishAsync(api, new JsonObject
            {
                ["nodes"] = new JsonArray(JsonNode.Parse($$$"""{"id":"in","type":"OnMessage","settings":{"deviceIds":["{{{device.Id}}}"]}}"""), node),
                ["links"] = new JsonArray(new JsonObject { ["from"] = "in", ["to"] = "use" }),
            }));
        }

        await MosquittoPub.PublishAsync(_app.MqttPort, device.Key, device.Secret, $"devices/{device.Key}/telemetry", """{"temp":1}""");

        await _app.EventuallyAsync(async () =>
            (await api.GetFromJsonAsync<JsonObject>($"/api/v1/communicators/{ids[5]}"))!["lastUsedAt"] is JsonValue used ? used : null, "the bridge used");
        foreach (var (workflow, index) in workflows.Take(5).Select((w, i) => (w, i)))
        {
            var runs = await _app.EventuallyAsync(async () =>
            {
                var list = (await api.GetFromJsonAsync<JsonArray>($"/api/v1/workflows/{workflow}/runs"))!;
                return list.Count > 0 ? list : null;
            }, $"the run of {actions[index]}", TimeSpan.FromSeconds(60));
            Assert.False(runs[0]!["succeeded"]!.GetValue<bool>(), runs.ToJsonString()); // refused: wrong secrets
            answers.Add(runs.ToJsonString());
            answers.Add(await api.GetStringAsync($"/api/v1/runs/{runs[0]!["id"]}"));
        }

        answers.Add(await api.GetStringAsync("/api/v1/communicators"));
        foreach (var id in ids) answers.Add(await api.GetStringAsync($"/api/v1/communicators/{id}"));
        answers.Add(await api.GetStringAsync("/api/v1/audit?limit=200"));
        var log = string.Join('\n', _app.Log.Lines);

        Assert.True(_app.Log.Lines.Count > 100, $"The log is nearly empty ({_app.Log.Lines.Count} lines): it is not the app's."); // it really is read
        Assert.Contains("530", log + string.Join('\n', answers)); // the refused FTP login is reported somewhere
        foreach (var (kind, secret) in secrets)
        {
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"The {kind} secret is in the log:\n{string.Join('\n', _app.Log.Lines.Where(l => l.Contains(secret)))}");
            Assert.False(answers.Any(a => a.Contains(secret, StringComparison.Ordinal)), $"The {kind} secret is in an answer.");
        }

        Assert.All(tests.Take(5), a => Assert.Contains("\"succeeded\":false", a)); // every refusal really happened
    }

    private static async Task<Guid> CreateAsync(HttpClient api, JsonObject body)
    {
        body["name"] = $"{body["name"]} {Guid.NewGuid():N}"[..20];
        var response = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<Guid> PublishAsync(HttpClient api, JsonObject definition)
    {
        var created = await api.PostAsJsonAsync("/api/v1/workflows", new JsonObject { ["name"] = $"Leaks {Guid.NewGuid():N}", ["definition"] = definition });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var published = await api.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { });
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }
}
