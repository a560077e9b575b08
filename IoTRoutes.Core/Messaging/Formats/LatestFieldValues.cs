using System.Runtime.InteropServices;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Formats;

/// <summary>
/// Keeps the latest value of each decoded field of each device (<see cref="DeviceFieldValue"/>), off the intake's path:
/// the writers hand over messages once committed, their fields are folded at once into one pending value per device and
/// field (the newest by device time, else receive time), and every half second the pending values are written.
/// Folding at hand-over keeps nothing of the messages themselves: holding them for half a second let a busy intake's
/// messages survive into older GC generations, which cost binary formats about a third of their throughput (see
/// docs/benchmarks.md, issue 14). Fields inside arrays (batches of readings) are not kept. Derived data: after a crash
/// the rows may lag, and the messages remain the record.
/// </summary>
public sealed class LatestFieldValues(IDbContextFactory<AppDbContext> contexts, MessageFeed feed, ILogger<LatestFieldValues> logger) : BackgroundService
{
    /// <summary>Beyond this many pending (device, field) pairs, new pairs wait for the next message that has them.</summary>
    private const int MaxPending = 200_000;

    private readonly Lock _gate = new();
    // Per device, then per field: one lookup per message and one per field, on the intake's hand-over.
    private Dictionary<Guid, Dictionary<string, PendingValue>> _pending = [];
    private int _pendingCount;
    private readonly SemaphoreSlim _arrived = new(0, 1);

    // The value's JSON text is written at the flush, for the latest value of each pair only, not for every message.
    private readonly record struct PendingValue(System.Text.Json.Nodes.JsonNode? Value, string? Unit, DateTimeOffset At, Guid MessageId);

    /// <summary>Called by the intake for messages committed; those without decoded fields are ignored.</summary>
    internal void Committed(IEnumerable<Message> messages)
    {
        var any = false;
        lock (_gate)
        {
            foreach (var message in messages)
            {
                if (message.DecodedFields is not { Count: > 0 } fields) continue;
                var at = message.DeviceTime ?? message.ReceivedAt;
                ref var device = ref CollectionsMarshal.GetValueRefOrAddDefault(_pending, message.DeviceId, out _);
                device ??= new Dictionary<string, PendingValue>(fields.Count, StringComparer.Ordinal);
                foreach (var field in fields)
                {
                    if (field.Name.Length > 256 || field.Name.Contains('[')) continue;
                    ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(device, field.Name, out var exists);
                    if (exists ? held.At > at : _pendingCount >= MaxPending)
                    {
                        if (!exists) device.Remove(field.Name);
                        continue;
                    }

                    _pendingCount += exists ? 0 : 1;
                    held = new PendingValue(field.Value, field.Unit is { Length: > 32 } unit ? unit[..32] : field.Unit, at, message.Id);
                    any = true;
                }
            }
        }

        if (any && _arrived.CurrentCount == 0)
        {
            try
            {
                _arrived.Release();
            }
            catch (SemaphoreFullException)
            {
                // another writer signalled first
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _arrived.WaitAsync(stoppingToken);
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            try
            {
                await FlushAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Updating the latest field values failed; the next messages will bring them up to date");
            }
        }
    }

    /// <summary>Writes the pending values (also called by tests, rather than waiting for the half second).</summary>
    internal async Task FlushAsync(CancellationToken ct)
    {
        Dictionary<Guid, Dictionary<string, PendingValue>> pending;
        lock (_gate)
        {
            if (_pendingCount == 0) return;
            (pending, _pending, _pendingCount) = (_pending, [], 0);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var devices = pending.Where(d => d.Value.Count > 0).Select(d => d.Key).ToList();
        var rows = await db.FieldValues.IgnoreQueryFilters().Where(v => devices.Contains(v.DeviceId)).ToDictionaryAsync(v => (v.DeviceId, v.Name), ct);
        foreach (var (device, name, value) in pending.SelectMany(d => d.Value.Select(f => (d.Key, f.Key, f.Value))))
        {
            if (!rows.TryGetValue((device, name), out var row))
            {
                row = new DeviceFieldValue { DeviceId = device, Name = name, Value = "" };
                db.FieldValues.Add(row);
            }
            else if (row.At > value.At)
            {
                continue; // a later value is already there (messages arrive out of order)
            }

            (row.Value, row.Unit, row.At, row.MessageId) = (value.Value?.ToJsonString() ?? "null", value.Unit, value.At, value.MessageId);
        }

        await db.SaveChangesAsync(ct);
        // The intake announced these messages at their commit, before their values were written here: pages showing the
        // latest values read again now, or a device's single message would never appear there.
        feed.Publish(new MessagesChanged(devices.ToHashSet()));
    }
}
