namespace IoTRoutes.Tests.Communicators.MqttBridge;

/// <summary>One mosquitto for a test class (tests that kill their broker start their own).</summary>
public sealed class MosquittoFixture : IAsyncLifetime
{
    private MosquittoBroker? _broker;

    public MosquittoBroker Broker => _broker ?? throw new InvalidOperationException("The broker has not started.");

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
