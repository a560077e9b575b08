using System.Collections.Concurrent;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>
/// Stores a bridged message exactly as a device's own publish is stored (the broker's <c>PublishRules</c>): an id from
/// the intake, the intake's queue, and the answer once the batch holding it is committed.
/// </summary>
public sealed class MqttBridgeIntake(
    IDbContextFactory<AppDbContext> contexts,
    MessageIntake intake,
    IOptions<MessagingOptions> messaging,
    TimeProvider clock) : IMqttBridgeInbound
{
    // Devices found lately, so that a busy bridge does not ask the database for each message. A device deleted within
    // this time may still get a message: OrphanMessageSweeper deletes it with the device's others. Unknown keys are not
    // kept, so a device created a moment ago receives at once.
    private static readonly TimeSpan KnownFor = TimeSpan.FromSeconds(30);
    private const int MaxKnown = 10_000;
    private readonly ConcurrentDictionary<(string Scope, string Key), (Guid Id, long At)> _devices = new();

    public async Task<Task<MqttBridgeDelivery>> SubmitAsync(MqttBridgeUplink uplink, CancellationToken ct)
    {
        var deviceId = await FindDeviceAsync(uplink.ScopePath, uplink.DeviceKey, ct);
        if (deviceId == Guid.Empty)
        {
            return Task.FromResult(MqttBridgeDelivery.UnknownDevice);
        }

        var receivedAt = clock.GetUtcNow();
        var id = intake.NewId(receivedAt);
        try
        {
            var message = Message(id, deviceId, uplink, receivedAt);
            var durable = await intake.SubmitAsync(message, ct);
            return Outcome(durable, message.State == MessageState.Rejected ? MqttBridgeDelivery.Rejected : MqttBridgeDelivery.Stored);
        }
        finally
        {
            // Submitted, the intake forgets the id at its commit; a message that never got there must not hold the watermark back.
            intake.ReleaseUnsubmitted(id);
        }
    }

    private async Task<Guid> FindDeviceAsync(string scopePath, string key, CancellationToken ct)
    {
        var now = clock.GetTimestamp();
        if (_devices.TryGetValue((scopePath, key), out var known) && clock.GetElapsedTime(known.At, now) < KnownFor)
        {
            return known.Id;
        }

        Guid id;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.ScopePath = scopePath; // a bridge of one entity feeds only that entity's devices
            id = await db.Devices.AsNoTracking().Where(d => d.Key == key).Select(d => d.Id).SingleOrDefaultAsync(ct);
        }

        if (id != Guid.Empty)
        {
            if (_devices.Count >= MaxKnown) _devices.Clear();
            _devices[(scopePath, key)] = (id, now);
        }

        return id;
    }

    private static async Task<MqttBridgeDelivery> Outcome(Task durable, MqttBridgeDelivery delivery)
    {
        await durable;
        return delivery;
    }

    private Message Message(Guid id, Guid deviceId, MqttBridgeUplink uplink, DateTimeOffset receivedAt)
    {
        var payload = uplink.Payload;
        var limit = messaging.Value.MaxPayloadBytes;
        var message = new Message
        {
            Id = id,
            DeviceId = deviceId,
            Topic = uplink.Topic,
            PayloadSize = payload.Length,
            QualityOfService = uplink.Qos,
            ReceivedAt = receivedAt,
            State = MessageState.Received,
        };
        if (payload.Length > limit)
        {
            message.State = MessageState.Rejected;
            message.ProcessedAt = receivedAt;
            message.RejectionReason = $"Payload of {payload.Length} bytes exceeds the {limit}-byte limit; it was not stored.";
        }
        else
        {
            message.Payload = payload.ToArray();
        }

        return message;
    }
}
