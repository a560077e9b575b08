using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTRoutes.Tests.Communicators;
using IoTRoutes.Tests.Communicators.Smtp;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Integration.Communicators;

/// <summary>
/// The communicators API against real servers: an SMTP communicator tested on aiosmtpd (STARTTLS with the test CA, a
/// login), its secret never in an answer, the database in clear, or the audit log; failures classified; validation.
/// </summary>
public sealed class CommunicatorsApiTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private const string Password = "s3cret-mail-pw!";
    private readonly IoTRoutesApp _app = app.Started();
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public async Task An_SMTP_communicator_is_tested_against_a_real_server_and_its_password_never_comes_back()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);
        using var api = await _app.CreateAuthenticatedClientAsync();

        var id = await CreateAsync(api, Smtp("Plant mail", server.Port, Password));
        var test = await TestAsync(api, id, new { to = "ops@example.com" });
        var listed = await api.GetStringAsync("/api/v1/communicators");
        var one = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/communicators/{id}"))!;

        Assert.True(test["succeeded"]!.GetValue<bool>(), test.ToJsonString());
        var mail = Assert.Single(server.Received());
        Assert.Equal("ops@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal(["password"], one["secretsSet"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(("127.0.0.1", "StartTls"), (one["settings"]!["host"]!.GetValue<string>(), one["settings"]!["security"]!.GetValue<string>()));
        Assert.True(one["lastSucceeded"]!.GetValue<bool>());
        Assert.DoesNotContain(Password, listed);
        Assert.DoesNotContain(Password, one.ToJsonString());
        await using (var db = await _app.CreateDbContextAsync())
        {
            var row = await db.Communicators.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
            Assert.DoesNotContain(Password, row.ProtectedSecrets!); // encrypted at rest
            Assert.DoesNotContain(Password, row.Settings);
            Assert.DoesNotContain(await db.AuditEntries.ToListAsync(), e => (e.Details ?? "").Contains(Password));
            // The key ring lives in the database, itself encrypted by the data directory's certificate.
            var keys = await db.DataProtectionKeys.ToListAsync();
            Assert.NotEmpty(keys);
            Assert.All(keys, k => Assert.Contains("encryptedSecret", k.Xml));
        }
    }

    [Fact]
    public async Task A_change_keeps_the_stored_password_unless_given_and_a_wrong_one_is_a_Credentials_failure_kept_as_last_error()
    {
        await using var server = await SmtpTestServer.StartAsync(SmtpTestMode.StartTls, _certificates, "alerts", Password);
        using var api = await _app.CreateAuthenticatedClientAsync();
        var id = await CreateAsync(api, Smtp("Night mail", server.Port, Password));

        var renamed = Smtp("Night shift mail", server.Port, password: null);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/communicators/{id}", renamed)).StatusCode);
        Assert.True((await TestAsync(api, id, null))["succeeded"]!.GetValue<bool>()); // the password stayed

        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/communicators/{id}", Smtp("Night shift mail", server.Port, "wrong-pw"))).StatusCode);
        var failed = await TestAsync(api, id, null);
        var shown = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/communicators/{id}"))!;

        Assert.Equal((false, "Credentials"), (failed["succeeded"]!.GetValue<bool>(), failed["failure"]!.GetValue<string>()));
        Assert.DoesNotContain("wrong-pw", failed.ToJsonString());
        Assert.Equal((false, failed["error"]!.GetValue<string>()), (shown["lastSucceeded"]!.GetValue<bool>(), shown["lastError"]!.GetValue<string>()));
        await using var db = await _app.CreateDbContextAsync();
        var audit = await db.AuditEntries.Where(e => e.Target == "Night shift mail").Select(e => e.Details).ToListAsync();
        Assert.Contains(audit, d => d!.Contains("name: Night mail -> Night shift mail"));
        Assert.Contains(audit, d => d!.Contains("secrets changed: password"));
        Assert.DoesNotContain(audit, d => d!.Contains("wrong-pw") || d.Contains(Password));
    }

    [Fact]
    public async Task Refused_ports_and_bad_bodies_are_told_apart()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var closed = FreePort.Next();
        var ftp = await CreateAsync(api, new { name = $"Archive {Guid.NewGuid():N}", kind = "Ftp", host = "127.0.0.1", port = closed, username = "iot", password = "pw", security = "None", timeoutSeconds = 5 });
        var refused = await TestAsync(api, ftp, null);
        Assert.Equal((false, "Refused"), (refused["succeeded"]!.GetValue<bool>(), refused["failure"]!.GetValue<string>()));
        Assert.Contains($"127.0.0.1:{closed}", refused["error"]!.GetValue<string>());

        var noHost = await api.PostAsJsonAsync("/api/v1/communicators", new { name = "No host", kind = "Smtp", sender = "iot@example.com" });
        var badKind = await api.PostAsJsonAsync("/api/v1/communicators", new { name = "Fax", kind = "Fax" });
        var badUrl = await api.PostAsJsonAsync("/api/v1/communicators", new { name = "Api", kind = "Http", baseUrl = "ftp://x" });
        var wrongType = await api.PostAsJsonAsync("/api/v1/communicators", new { name = "Api", kind = "Http", baseUrl = "https://x.example", timeoutSeconds = "soon" });
        Assert.Contains("host", (await ErrorsAsync(noHost)).Select(e => e.Key));
        Assert.Contains("Http, Smtp, Ftp, Sftp, MqttBridge", (await ErrorsAsync(badKind))["kind"]![0]!.GetValue<string>());
        Assert.Contains("http:// or https://", (await ErrorsAsync(badUrl))["baseUrl"]![0]!.GetValue<string>());
        Assert.Contains("timeoutSeconds", (await ErrorsAsync(wrongType))["settings"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync($"/api/v1/communicators/{Guid.NewGuid()}/test", new { })).StatusCode);
    }

    private object Smtp(string name, int port, string? password) => new
    {
        name, kind = "Smtp", host = "127.0.0.1", port, security = "StartTls", username = "alerts", password, sender = "iot@plant.example",
        caCertificatePem = _certificates.AuthorityPem, timeoutSeconds = 10,
    };

    private static async Task<Guid> CreateAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/communicators", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
    }

    private static async Task<JsonObject> TestAsync(HttpClient api, Guid id, object? body)
    {
        var response = body is null ? await api.PostAsync($"/api/v1/communicators/{id}/test", null) : await api.PostAsJsonAsync($"/api/v1/communicators/{id}/test", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<JsonObject> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        return JsonNode.Parse(body)!["errors"]!.AsObject();
    }
}
