using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Messaging.Lifecycle;

/// <summary>Asks the <see cref="OrphanMessageSweeper"/> for a sweep now (a device was deleted); many requests collapse into one.</summary>
public sealed class OrphanSweepSignal : CollapsingSignal;

/// <summary>
/// Deletes the messages of devices that no longer exist, a chunk per transaction, so that a device with a long history
/// never holds the database (and the intake behind it) for long. Messages have no foreign key to their device
/// (docs/architecture.md): a device's deletion leaves its messages to this sweep, and so does a message that was on its
/// way when the device went. Sweeps at start, when <see cref="OrphanSweepSignal"/> is raised, a second after a sweep that
/// found something, and every <see cref="Interval"/> where the message counts tell which devices have messages (SQLite,
/// PostgreSQL).
/// </summary>
internal sealed partial class OrphanMessageSweeper(
    IDbContextFactory<AppDbContext> contexts,
    OrphanSweepSignal signal,
    ILogger<OrphanMessageSweeper> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FollowUp = TimeSpan.FromSeconds(1);

    private int _sweeps;

    /// <summary>Messages deleted per transaction.</summary>
    internal int ChunkSize { get; init; } = 5_000;

    /// <summary>Sweeps done since start (for tests).</summary>
    internal int CompletedSweeps => Volatile.Read(ref _sweeps);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool counted;
        await using (var db = await contexts.CreateDbContextAsync(stoppingToken))
        {
            counted = db is not SqlServerAppDbContext;
        }

        var wait = TimeSpan.Zero;
        var sweepsSinceRequest = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await WaitAsync(wait, stoppingToken))
                {
                    sweepsSinceRequest = 0;
                }

                var deleted = await SweepAsync(stoppingToken);
                sweepsSinceRequest++;
                Interlocked.Increment(ref _sweeps);
                if (deleted > 0)
                {
                    Swept(logger, deleted);
                }

                // What a deleted device sent just before its connections closed may land a moment after a sweep: while there
                // is something to delete, look again soon. Without counts a sweep scans every message: after a request,
                // once more a minute later for a message that took long to arrive, then only on the next request.
                wait = deleted > 0 ? FollowUp
                    : counted || sweepsSinceRequest < 2 ? Interval
                    : Timeout.InfiniteTimeSpan;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                SweepFailed(logger, e);
                wait = Interval;
            }
        }
    }

    /// <summary>Until <paramref name="wait"/> is up or a sweep is requested; true when requested.</summary>
    private async Task<bool> WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        if (wait != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(wait);
        }

        try
        {
            await signal.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return wait == TimeSpan.Zero; // the first sweep, at start, counts as requested
        }
    }

    /// <summary>Deletes every message whose device does not exist; returns how many.</summary>
    internal async Task<int> SweepAsync(CancellationToken ct)
    {
        var total = 0;
        foreach (var deviceId in await DevicesGoneWithMessagesAsync(ct))
        {
            int deleted;
            do
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                deleted = await db.Messages.IgnoreQueryFilters().Where(m => m.DeviceId == deviceId)
                    .OrderBy(m => m.ReceivedAt).Take(ChunkSize).ExecuteDeleteAsync(ct);
                total += deleted;
            }
            while (deleted == ChunkSize);

            await using (var db = await contexts.CreateDbContextAsync(ct))
            {
                // A message that arrives meanwhile keeps its count above zero, and the next sweep finds it.
                await db.MessageCounts.IgnoreQueryFilters().Where(c => c.DeviceId == deviceId && c.Count == 0).ExecuteDeleteAsync(ct);
            }
        }

        return total;
    }

    private async Task<List<Guid>> DevicesGoneWithMessagesAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var devices = db.Devices.IgnoreQueryFilters().Select(d => d.Id);
        return db is SqlServerAppDbContext
            ? await db.Messages.IgnoreQueryFilters().Select(m => m.DeviceId).Distinct().Where(id => !devices.Contains(id)).ToListAsync(ct)
            : await db.MessageCounts.IgnoreQueryFilters().Where(c => !devices.Contains(c.DeviceId))
                .Select(c => c.DeviceId).Distinct().ToListAsync(ct);
    }

    [LoggerMessage(1101, LogLevel.Information, "Deleted {Count} messages of deleted devices")]
    private static partial void Swept(ILogger logger, int count);

    [LoggerMessage(1102, LogLevel.Error, "Deleting the messages of deleted devices failed; the next sweep tries again")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
