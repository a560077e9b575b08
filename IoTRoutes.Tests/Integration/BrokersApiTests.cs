using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using IoTRoutes.Tests.Infrastructure;
using MQTTnet;

namespace IoTRoutes.Tests.Integration;

/// <summary>Brokers managed at runtime through /api/v1/brokers, checked with real MQTT connections.</summary>
public sealed class BrokersApiTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly IoTRoutesApp _app = app.Started();

    [Fact]
    public async Task The_default_broker_is_created_at_first_start_and_runs()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var brokers = await api.GetFromJsonAsync<List<BrokerBody>>("/api/v1/brokers");

        var broker = Assert.Single(brokers!, b => b.Name == "default");
        Assert.True(broker.Enabled);
        Assert.Equal(_app.MqttPort, broker.Port);
        Assert.Equal(_app.MqttTlsPort, broker.TlsPort);
        Assert.Equal(["3.1.1", "5.0"], broker.Protocols);
        Assert.Equal(100, broker.ReceiveMaximum);
        Assert.Equal("Running", broker.Status.State);
        Assert.NotNull(broker.Status.Since);
    }

    [Fact]
    public async Task A_created_broker_is_off_until_enabled_and_stops_taking_connections_when_disabled()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var port = FreePort.Next();

        var id = await CreateBrokerAsync(api, new { name = $"bench-{port}", port, tlsPort = (int?)null, allowAnonymous = true, persistentSessions = false });
        var created = await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{id}");
        Assert.False(created!.Enabled);
        Assert.Equal("Stopped", created.Status.State);
        Assert.False(await AcceptsAsync(port));

        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync($"/api/v1/brokers/{id}/enable", null)).StatusCode);
        using (var client = await ConnectAnonymousAsync(port))
        {
            Assert.True(client.IsConnected);
            var clients = await api.GetFromJsonAsync<List<BrokerClientBody>>($"/api/v1/brokers/{id}/clients");
            var listed = Assert.Single(clients!);
            Assert.Equal("5.0", listed.Protocol);
            Assert.Null(listed.DeviceId);
        }

        Assert.Equal("Running", (await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{id}"))!.Status.State);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync($"/api/v1/brokers/{id}/disable", null)).StatusCode);
        Assert.False(await AcceptsAsync(port));
        var disabled = await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{id}");
        Assert.False(disabled!.Enabled);
        Assert.Equal("Stopped", disabled.Status.State);
    }

    [Fact]
    public async Task Enabling_a_broker_on_a_port_in_use_is_a_conflict_and_the_broker_stays_off()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        using var squatter = new TcpListener(IPAddress.Any, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var id = await CreateBrokerAsync(api, new { name = $"clash-{port}", port, allowAnonymous = true });

        var response = await api.PostAsync($"/api/v1/brokers/{id}/enable", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.Contains($"Port {port} is already in use", problem!.Detail);
        var broker = await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{id}");
        Assert.False(broker!.Enabled);
        Assert.Equal("Failed", broker.Status.State);
        Assert.Contains("already in use", broker.Status.LastError);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health")).StatusCode); // off on purpose now, so not unhealthy
    }

    [Fact]
    public async Task Changing_a_running_broker_applies_at_once()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var port = FreePort.Next();
        var id = await CreateBrokerAsync(api, new { name = $"changing-{port}", port, allowAnonymous = true });
        await api.PostAsync($"/api/v1/brokers/{id}/enable", null);
        using (var before = await ConnectAnonymousAsync(port))
        {
            Assert.True(before.IsConnected);
        }

        var update = await api.PutAsJsonAsync($"/api/v1/brokers/{id}", new { allowAnonymous = false });

        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        var (client, result) = await TryConnectAnonymousAsync(port);
        client.Dispose();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, result.ResultCode);
        await api.PostAsync($"/api/v1/brokers/{id}/disable", null);
    }

    [Fact]
    public async Task A_broker_can_be_limited_to_one_protocol_version()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var port = FreePort.Next();
        var id = await CreateBrokerAsync(api, new { name = $"v5-only-{port}", port, allowAnonymous = true, protocols = new[] { "5.0" } });
        await api.PostAsync($"/api/v1/brokers/{id}/enable", null);

        var (old, oldResult) = await TryConnectAnonymousAsync(port, MQTTnet.Formatter.MqttProtocolVersion.V311);
        var (modern, modernResult) = await TryConnectAnonymousAsync(port);

        Assert.Equal(MqttClientConnectResultCode.UnsupportedProtocolVersion, oldResult.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.Success, modernResult.ResultCode);
        old.Dispose();
        modern.Dispose();
        await api.PostAsync($"/api/v1/brokers/{id}/disable", null);
    }

    [Fact]
    public async Task Bad_broker_definitions_get_field_errors()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();

        var response = await api.PostAsJsonAsync("/api/v1/brokers", new { name = "", port = 70000, tlsPort = 70001, protocols = new[] { "4.0" } });
        var duplicate = await api.PostAsJsonAsync("/api/v1/brokers", new { name = "other", port = _app.MqttPort });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.Contains("protocols", problem!.Errors!.Keys);
        var second = await api.PostAsJsonAsync("/api/v1/brokers", new { name = "", port = 70000, tlsPort = 70001 });
        var errors = (await second.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!;
        Assert.Contains("name", errors.Keys);
        Assert.Contains("port", errors.Keys);
        Assert.Contains("tlsPort", errors.Keys);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("already uses port", (await duplicate.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["port"][0]);
    }

    [Fact]
    public async Task The_receive_maximum_is_100_unless_set_and_an_update_that_omits_it_keeps_it()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var defaultPort = FreePort.Next();
        var setPort = FreePort.Next();
        var defaulted = await CreateBrokerAsync(api, new { name = $"rm-default-{defaultPort}", port = defaultPort, allowAnonymous = true });
        var set = await CreateBrokerAsync(api, new { name = $"rm-set-{setPort}", port = setPort, allowAnonymous = true, receiveMaximum = 1 });

        Assert.Equal(100, (await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{defaulted}"))!.ReceiveMaximum);
        Assert.Equal(1, (await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{set}"))!.ReceiveMaximum);

        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/brokers/{set}", new { receiveMaximum = 65535 })).StatusCode);
        Assert.Equal(65535, (await api.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{set}"))!.ReceiveMaximum);

        Assert.Equal(HttpStatusCode.NoContent, (await api.PutAsJsonAsync($"/api/v1/brokers/{set}", new { allowAnonymous = false })).StatusCode);
        var listed = Assert.Single((await api.GetFromJsonAsync<List<BrokerBody>>("/api/v1/brokers"))!, b => b.Id == set);
        Assert.False(listed.AllowAnonymous);
        Assert.Equal(65535, listed.ReceiveMaximum);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    public async Task A_receive_maximum_outside_1_to_65535_is_a_validation_problem_on_that_field_and_changes_nothing(int receiveMaximum)
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var refusedPort = FreePort.Next();
        var keptPort = FreePort.Next();
        var kept = await CreateBrokerAsync(api, new { name = $"rm-kept-{keptPort}", port = keptPort, receiveMaximum = 50 });

        var create = await api.PostAsJsonAsync("/api/v1/brokers", new { name = $"rm-refused-{refusedPort}", port = refusedPort, receiveMaximum });
        var update = await api.PutAsJsonAsync($"/api/v1/brokers/{kept}", new { receiveMaximum });

        foreach (var response in new[] { create, update })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
            var error = Assert.Single(problem.Errors!);
            Assert.Equal("receiveMaximum", error.Key);
            Assert.Equal("Receive maximum must be between 1 and 65535.", Assert.Single(error.Value));
        }

        var brokers = await api.GetFromJsonAsync<List<BrokerBody>>("/api/v1/brokers");
        Assert.DoesNotContain(brokers!, b => b.Name == $"rm-refused-{refusedPort}");
        Assert.Equal(50, Assert.Single(brokers!, b => b.Id == kept).ReceiveMaximum);
    }

    [Fact]
    public async Task An_enabled_broker_cannot_be_deleted_until_it_is_disabled()
    {
        using var api = await _app.CreateAuthenticatedClientAsync();
        var port = FreePort.Next();
        var id = await CreateBrokerAsync(api, new { name = $"doomed-{port}", port, allowAnonymous = true });
        await api.PostAsync($"/api/v1/brokers/{id}/enable", null);

        var refused = await api.DeleteAsync($"/api/v1/brokers/{id}");
        await api.PostAsync($"/api/v1/brokers/{id}/disable", null);
        var deleted = await api.DeleteAsync($"/api/v1/brokers/{id}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/v1/brokers/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_client_user_may_neither_list_nor_enable_brokers()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var port = FreePort.Next();
        var id = await CreateBrokerAsync(admin, new { name = $"guarded-{port}", port, allowAnonymous = true });
        using var operatorClient = await _app.CreateClientForNewUserAsync(IoTRoutes.Core.Entities.RootEntity.Id, IoTRoutes.Core.Security.Permissions.BuiltInRoles.ClientId);

        var list = await operatorClient.GetAsync("/api/v1/brokers");
        var enable = await operatorClient.PostAsync($"/api/v1/brokers/{id}/enable", null);

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, enable.StatusCode);
        Assert.False((await admin.GetFromJsonAsync<BrokerBody>($"/api/v1/brokers/{id}"))!.Enabled);
    }

    [Fact]
    public async Task Brokers_come_back_as_they_were_after_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "iotroutes-tests", Guid.NewGuid().ToString("N"));
        var enabledPort = FreePort.Next();
        var disabledPort = FreePort.Next();
        try
        {
            await using (var first = new IoTRoutesApp(TestDatabase.Sqlite(), dataDirectory: data).Started())
            {
                using var api = await first.CreateAuthenticatedClientAsync();
                var enabled = await CreateBrokerAsync(api, new { name = "kept running", port = enabledPort, allowAnonymous = true });
                await CreateBrokerAsync(api, new { name = "kept off", port = disabledPort, allowAnonymous = true });
                Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync($"/api/v1/brokers/{enabled}/enable", null)).StatusCode);
            }

            Assert.False(await AcceptsAsync(enabledPort));
            await using var second = new IoTRoutesApp(TestDatabase.Sqlite(), dataDirectory: data).Started();
            using var client = await ConnectAnonymousAsync(enabledPort);
            Assert.True(client.IsConnected);
            Assert.False(await AcceptsAsync(disabledPort));
            using var secondApi = await second.CreateAuthenticatedClientAsync();
            var brokers = await secondApi.GetFromJsonAsync<List<BrokerBody>>("/api/v1/brokers");
            Assert.Equal(["default", "kept off", "kept running"], brokers!.Select(b => b.Name).Order());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_sub_entity_operator_sees_only_its_own_devices_on_its_broker_and_no_names_of_brokers_it_cannot_see()
    {
        using var admin = await _app.CreateAuthenticatedClientAsync();
        var branch = (await (await admin.PostAsJsonAsync("/api/v1/entities", new { name = $"Branch {Guid.NewGuid():N}", type = "Organisation" }))
            .Content.ReadFromJsonAsync<IdBody>())!;
        using var operatorApi = await _app.CreateClientForNewUserAsync(branch.Id, IoTRoutes.Core.Security.Permissions.BuiltInRoles.OperatorId);
        var port = FreePort.Next();
        var id = await CreateBrokerAsync(operatorApi, new { name = $"branch-{port}", port });
        Assert.Equal(HttpStatusCode.NoContent, (await operatorApi.PostAsync($"/api/v1/brokers/{id}/enable", null)).StatusCode);
        var foreign = (await (await admin.PostAsJsonAsync("/api/v1/devices", new { name = "Platform device" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;
        var own = (await (await operatorApi.PostAsJsonAsync("/api/v1/devices", new { name = "Branch device" })).Content.ReadFromJsonAsync<CreatedDeviceBody>())!;

        using var foreignClient = await Mqtt.ConnectAsync(port, foreign.Key, foreign.Secret);
        using var ownClient = await Mqtt.ConnectAsync(port, own.Key, own.Secret);
        var clients = await operatorApi.GetFromJsonAsync<List<BrokerClientBody>>($"/api/v1/brokers/{id}/clients");
        var clash = await operatorApi.PostAsJsonAsync("/api/v1/brokers", new { name = $"clash-{port}", port = _app.MqttPort });
        var brokers = await operatorApi.GetFromJsonAsync<List<BrokerBody>>("/api/v1/brokers");

        Assert.Equal(2, clients!.Count);
        Assert.Contains(clients, c => c.DeviceKey == own.Key && c.DeviceName == "Branch device");
        Assert.DoesNotContain(clients, c => c.DeviceKey == foreign.Key || c.DeviceId == foreign.Id || c.DeviceName == "Platform device");
        Assert.Equal("Another broker already uses port " + _app.MqttPort + ".", (await clash.Content.ReadFromJsonAsync<ProblemBody>())!.Errors!["port"][0]);
        Assert.DoesNotContain(brokers!, b => b.Name == "default");
        await operatorApi.PostAsync($"/api/v1/brokers/{id}/disable", null);
    }

    internal static async Task<Guid> CreateBrokerAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/brokers", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IdBody>())!.Id;
    }

    private static async Task<IMqttClient> ConnectAnonymousAsync(int port)
    {
        var (client, result) = await TryConnectAnonymousAsync(port);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task<(IMqttClient, MqttClientConnectResult)> TryConnectAnonymousAsync(int port, MQTTnet.Formatter.MqttProtocolVersion version = MQTTnet.Formatter.MqttProtocolVersion.V500)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(version)
            .WithClientId($"anon-{Guid.NewGuid():N}").WithTimeout(TimeSpan.FromSeconds(10)).Build();
        return (client, await client.ConnectAsync(options));
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
