using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Tests.Integration;

/// <summary>Devices on the TLS port with X.509 client certificates, driven by the real mosquitto_pub.</summary>
public sealed class DeviceCertificatesTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private readonly IoTRoutesApp _app = app.Started();
    private readonly string _folder = Directory.CreateTempSubdirectory("iotroutes-certs").FullName;

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task A_device_with_an_issued_certificate_publishes_over_tls_without_a_password(string protocol)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync($"Certified {protocol}");
        var issued = await IssueAsync(api, device.Id);

        var (exitCode, output) = await PublishOverTlsAsync(issued, $"devices/{device.Key}/telemetry", """{"temp":20}""", protocol);

        Assert.True(exitCode == 0, output);
        await Eventually.GetAsync(async () =>
        {
            await using var db = await _app.CreateDbContextAsync();
            return await db.Messages.FirstOrDefaultAsync(m => m.DeviceId == device.Id);
        }, "the message sent with a certificate");
        var listed = await api.GetFromJsonAsync<List<CertificateBody>>($"/api/v1/devices/{device.Id}/certificates");
        Assert.Equal(issued.Thumbprint, Assert.Single(listed!).Thumbprint);
        Assert.Contains($"CN={device.Key}", listed![0].Subject);
    }

    [Fact]
    public async Task A_revoked_certificate_is_refused()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Revoked");
        var issued = await IssueAsync(api, device.Id);

        var revoke = await api.PostAsync($"/api/v1/devices/{device.Id}/certificates/{issued.Id}/revoke", null);
        var (exitCode, output) = await PublishOverTlsAsync(issued, $"devices/{device.Key}/telemetry", "{}", "mqttv5");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("not authori", output, StringComparison.OrdinalIgnoreCase);
        await AssertNothingStoredAsync(device.Id);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Expired");
        var issued = await IssueAsync(api, device.Id);
        await using (var db = await _app.CreateDbContextAsync())
        {
            var record = await db.DeviceCertificates.SingleAsync(c => c.Id == issued.Id);
            record.NotAfter = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.SaveChangesAsync();
        }

        var (exitCode, output) = await PublishOverTlsAsync(issued, $"devices/{device.Key}/telemetry", "{}", "mqttv5");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("not authori", output, StringComparison.OrdinalIgnoreCase);
        await AssertNothingStoredAsync(device.Id);
    }

    [Fact]
    public async Task An_unknown_certificate_is_refused_until_its_thumbprint_is_registered()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Own PKI");
        var own = SelfSigned($"CN={device.Key}");
        var ca = await api.GetStringAsync("/api/v1/certificates/ca.pem");

        var (before, beforeOutput) = await PublishOverTlsAsync(own with { CaCertificatePem = ca }, $"devices/{device.Key}/telemetry", "{}", "mqttv5");
        var register = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/certificates", new { certificatePem = own.CertificatePem });
        var (after, afterOutput) = await PublishOverTlsAsync(own with { CaCertificatePem = ca }, $"devices/{device.Key}/telemetry", "{}", "mqttv5");
        var garbage = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/certificates", new { certificatePem = "not a certificate" });

        Assert.NotEqual(0, before);
        Assert.Contains("not authori", beforeOutput, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.True(after == 0, afterOutput);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Fact]
    public async Task A_certificate_registered_by_its_thumbprint_alone_is_accepted()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var device = await api.CreateDeviceAsync("Thumbprint only");
        var own = SelfSigned($"CN={device.Key}");
        var ca = await api.GetStringAsync("/api/v1/certificates/ca.pem");
        using var parsed = X509Certificate2.CreateFromPem(own.CertificatePem);
        var thumbprint = parsed.GetCertHashString(HashAlgorithmName.SHA256);

        var bad = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/certificates", new { thumbprint = "12:34" });
        var register = await api.PostAsJsonAsync($"/api/v1/devices/{device.Id}/certificates", new { thumbprint = thumbprint.ToLowerInvariant() });
        var (exitCode, output) = await PublishOverTlsAsync(own with { CaCertificatePem = ca }, $"devices/{device.Key}/telemetry", "{}", "mqttv311");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("thumbprint", (await bad.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!.Keys);
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task The_tls_port_also_takes_the_device_secret_with_the_ca_fetched_without_signing_in()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        using var anonymous = _app.CreateClient();
        var device = await api.CreateDeviceAsync("Secret over TLS");
        var ca = Path.Combine(_folder, "ca-only.pem");
        var download = await anonymous.GetAsync("/api/v1/certificates/ca.pem");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/x-pem-file", download.Content.Headers.ContentType?.MediaType);
        await File.WriteAllTextAsync(ca, await download.Content.ReadAsStringAsync());

        var (exitCode, output) = await RunMosquittoPubAsync(
            "--cafile", ca, "-u", device.Key, "-P", device.Secret, "-t", $"devices/{device.Key}/telemetry", "-m", "{}", "-V", "mqttv311");

        Assert.True(exitCode == 0, output);
    }

    private async Task<(int ExitCode, string Output)> PublishOverTlsAsync(IssuedCertificateBody issued, string topic, string payload, string protocol)
    {
        var name = Guid.NewGuid().ToString("N");
        var ca = Path.Combine(_folder, $"{name}-ca.pem");
        var cert = Path.Combine(_folder, $"{name}-cert.pem");
        var key = Path.Combine(_folder, $"{name}-key.pem");
        await File.WriteAllTextAsync(ca, issued.CaCertificatePem);
        await File.WriteAllTextAsync(cert, issued.CertificatePem);
        await File.WriteAllTextAsync(key, issued.PrivateKeyPem);
        return await RunMosquittoPubAsync("--cafile", ca, "--cert", cert, "--key", key, "-t", topic, "-m", payload, "-V", protocol);
    }

    private Task<(int ExitCode, string Output)> RunMosquittoPubAsync(params string[] arguments) =>
        MosquittoPub.RunToolAsync("mosquitto_pub", ["-h", "127.0.0.1", "-p", _app.MqttTlsPort.ToString(), "-q", "1", "-d", .. arguments]);

    private static IssuedCertificateBody SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return new IssuedCertificateBody(Guid.Empty, "", certificate.NotAfter, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), "");
    }

    private async Task AssertNothingStoredAsync(Guid deviceId)
    {
        await using var db = await _app.CreateDbContextAsync();
        Assert.False(await db.Messages.IgnoreQueryFilters().AnyAsync(m => m.DeviceId == deviceId));
    }

    private static async Task<IssuedCertificateBody> IssueAsync(HttpClient api, Guid deviceId)
    {
        var response = await api.PostAsync($"/api/v1/devices/{deviceId}/certificates/issue", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IssuedCertificateBody>())!;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
