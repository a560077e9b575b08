using System.Net;
using System.Net.Sockets;
using IoTRoutes.Core.Communicators;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>The connection test against a real mosquitto: each way a connection fails, classified, without the password.</summary>
public sealed class MqttBridgeConnectorTests(MosquittoFixture fixture) : IClassFixture<MosquittoFixture>
{
    private readonly MosquittoBroker _broker = fixture.Broker;
    private readonly MqttBridgeConnector _connector = new(TimeProvider.System);

    [Theory]
    [InlineData(MqttBridgeProtocolVersion.V500)]
    [InlineData(MqttBridgeProtocolVersion.V311)]
    public async Task The_test_connects_with_the_password_and_answers_success(MqttBridgeProtocolVersion version)
    {
        var result = await _connector.TestAsync(_broker.Settings() with { ProtocolVersion = version }, _broker.Secrets, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.Failure);
    }

    [Theory]
    [InlineData(MqttBridgeProtocolVersion.V500)]
    [InlineData(MqttBridgeProtocolVersion.V311)]
    public async Task A_wrong_password_is_a_credentials_failure_whose_message_holds_no_password(MqttBridgeProtocolVersion version)
    {
        const string wrong = "wrong-password-4711";
        var result = await _connector.TestAsync(_broker.Settings() with { ProtocolVersion = version }, new MqttBridgeSecrets { Password = wrong }, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Credentials, result.Failure);
        Assert.Contains($"127.0.0.1:{_broker.Port} refused the user name or password", result.Error);
        Assert.DoesNotContain(wrong, result.Error);
        Assert.DoesNotContain(_broker.Password, result.Error);
    }

    [Fact]
    public async Task A_closed_port_is_refused()
    {
        var port = FreePort.Next();

        var result = await _connector.TestAsync(_broker.Settings() with { Port = port }, _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Refused, result.Failure);
        Assert.Contains($"127.0.0.1:{port} refused the connection", result.Error);
    }

    [Fact]
    public async Task A_listener_that_never_answers_times_out_after_the_settings_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var accepted = silent.AcceptSocketAsync();

        var result = await _connector.TestAsync(_broker.Settings() with { Port = port, TimeoutSeconds = 1 }, _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Timeout, result.Failure);
        Assert.Contains("did not answer in time", result.Error);
        Assert.InRange(result.ElapsedMs, 900, 5000);
        (await accepted).Dispose();
    }

    [Fact]
    public async Task A_certificate_from_an_unknown_authority_fails_tls_and_says_so()
    {
        var result = await _connector.TestAsync(TlsSettings(), _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Tls, result.Failure);
        Assert.Contains("is not signed by an authority this server trusts", result.Error);
        Assert.DoesNotContain(_broker.Password, result.Error);
    }

    [Fact]
    public async Task The_brokers_ca_certificate_makes_its_certificate_trusted()
    {
        var result = await _connector.TestAsync(TlsSettings() with { CaCertificatePem = _broker.Certificates.CaPem }, _broker.Secrets, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task A_ca_certificate_is_checked_against_the_host_name()
    {
        var other = TestCertificates.Create();
        var wrongCa = await _connector.TestAsync(TlsSettings() with { CaCertificatePem = other.CaPem }, _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Tls, wrongCa.Failure);
        Assert.Contains("is not signed by the configured CA certificate", wrongCa.Error);
    }

    [Fact]
    public async Task A_pinned_fingerprint_accepts_exactly_that_certificate()
    {
        var pinned = await _connector.TestAsync(TlsSettings() with { AcceptCertificateSha256 = _broker.Certificates.ServerSha256 }, _broker.Secrets, CancellationToken.None);
        var otherPin = await _connector.TestAsync(TlsSettings() with { AcceptCertificateSha256 = new string('a', 64) }, _broker.Secrets, CancellationToken.None);

        Assert.True(pinned.Succeeded, pinned.Error);
        Assert.Equal(ConnectionFailure.Tls, otherPin.Failure);
        Assert.Contains("is not the pinned one", otherPin.Error);
        Assert.Contains(_broker.Certificates.ServerSha256.Replace(":", "").ToLowerInvariant(), otherPin.Error);
    }

    [Fact]
    public async Task Plain_mqtt_to_the_tls_port_is_a_protocol_failure_that_suggests_tls()
    {
        var result = await _connector.TestAsync(_broker.Settings() with { Port = _broker.TlsPort }, _broker.Secrets, CancellationToken.None);

        Assert.Contains(result.Failure, new ConnectionFailure?[] { ConnectionFailure.Protocol, ConnectionFailure.Timeout });
        Assert.Contains("TLS", result.Error);
    }

    [Fact]
    public async Task Invalid_settings_fail_the_test_with_the_first_problem()
    {
        var result = await _connector.TestAsync(_broker.Settings() with { Host = "" }, _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Other, result.Failure);
        Assert.StartsWith("The bridge's settings are not valid: host:", result.Error);
    }

    [Fact]
    public async Task A_password_without_a_user_name_is_refused_before_connecting()
    {
        var result = await _connector.TestAsync(_broker.Settings() with { Username = null }, _broker.Secrets, CancellationToken.None);

        Assert.Equal(ConnectionFailure.Credentials, result.Failure);
        Assert.Equal("A password is sent only with a user name: set the user name.", result.Error);
    }

    private MqttBridgeSettings TlsSettings() => _broker.Settings() with { Port = _broker.TlsPort, Tls = true };
}
