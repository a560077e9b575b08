using System.Threading.Channels;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// Keeps the latest value of each decoded field of each device (<see cref="DeviceFieldValue"/>), off the intake's path:
/// the writers hand over messages once committed, and this folds them every half second into one row per device and
/// field (the newest by device time, else receive time). Fields inside arrays (batches of readings) are not kept.
/// Derived data: after a crash the rows may lag, and the messages remain the record.
/// </summary>
public sealed class LatestFieldValues(IDbContextFactory<AppDbContext> contexts, ILogger<LatestFieldValues> logger) : BackgroundService
{
    private readonly Channel<Message> _decoded = Channel.CreateBounded<Message>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Called by the intake for messages committed; those without decoded fields are ignored.</summary>
    internal void Committed(IEnumerable<Message> messages)
    {
        foreach (var message in messages)
        {
            if (message.DecodedFields is { Count: > 0 })
            {
                _decoded.Writer.TryWrite(message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Message>();
        while (await _decoded.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            while (batch.Count < 10_000 && _decoded.Reader.TryRead(out var message)) batch.Add(message);
            try
            {
                await ApplyAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Updating the latest field values of {Count} message(s) failed; the next messages will bring them up to date", batch.Count);
            }

            batch.Clear();
        }
    }

    internal async Task ApplyAsync(IReadOnlyList<Message> messages, CancellationToken ct)
    {
        var newest = new Dictionary<(Guid Device, string Name), (FieldDto Field, Message Message)>();
        foreach (var message in messages)
        {
            foreach (var field in message.DecodedFields!.Where(f => !f.Name.Contains('[') && f.Name.Length <= 256))
            {
                var key = (message.DeviceId, field.Name);
                if (!newest.TryGetValue(key, out var held) || TimeOf(message) >= TimeOf(held.Message))
                {
                    newest[key] = (field, message);
                }
            }
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var devices = newest.Keys.Select(k => k.Device).Distinct().ToList();
        var rows = await db.FieldValues.IgnoreQueryFilters().Where(v => devices.Contains(v.DeviceId)).ToDictionaryAsync(v => (v.DeviceId, v.Name), ct);
        foreach (var ((device, name), (field, message)) in newest)
        {
            if (!rows.TryGetValue((device, name), out var row))
            {
                row = new DeviceFieldValue { DeviceId = device, Name = name, Value = "" };
                db.FieldValues.Add(row);
            }
            else if (row.At > TimeOf(message))
            {
                continue; // a later value is already there (messages arrive out of order)
            }

            row.Value = field.Value?.ToJsonString() ?? "null";
            row.Unit = field.Unit is { Length: <= 32 } unit ? unit : field.Unit?[..32];
            row.At = TimeOf(message);
            row.MessageId = message.Id;
        }

        await db.SaveChangesAsync(ct);
    }

    private static DateTimeOffset TimeOf(Message m) => m.DeviceTime ?? m.ReceivedAt;
}
