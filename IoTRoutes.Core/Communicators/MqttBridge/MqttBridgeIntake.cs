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
    public async Task<MqttBridgeDelivery> DeliverAsync(MqttBridgeUplink uplink, CancellationToken ct)
    {
        Guid deviceId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            db.ScopePath = uplink.ScopePath; // a bridge of one entity feeds only that entity's devices
            deviceId = await db.Devices.AsNoTracking().Where(d => d.Key == uplink.DeviceKey).Select(d => d.Id).SingleOrDefaultAsync(ct);
        }

        if (deviceId == Guid.Empty)
        {
            return MqttBridgeDelivery.UnknownDevice;
        }

        var receivedAt = clock.GetUtcNow();
        var id = intake.NewId(receivedAt);
        try
        {
            var message = Message(id, deviceId, uplink, receivedAt);
            var durable = await intake.SubmitAsync(message, ct);
            await durable.WaitAsync(ct);
            return message.State == MessageState.Rejected ? MqttBridgeDelivery.Rejected : MqttBridgeDelivery.Stored;
        }
        finally
        {
            // Submitted, the intake forgets the id at its commit; a message that never got there must not hold the watermark back.
            intake.ReleaseUnsubmitted(id);
        }
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
