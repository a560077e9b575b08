using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// The partitions this node runs. Each round it says it is alive, renews its leases, gives back those above its fair
/// share (the partitions divided among the nodes seen alive) and claims free or expired ones up to it, each claim one
/// conditional update, so two nodes never hold one partition. A batch's positions are written only if its leases still
/// hold (<see cref="ConfirmAsync"/>, in the batch's transaction): a node that lost one while running writes nothing.
/// </summary>
/// <param name="lookEvery">Between two looks at the leases the runner goes on with what it holds (rounds come many times a
/// second under load); 2 seconds unless said otherwise.</param>
public sealed class PartitionLeases(IDbContextFactory<AppDbContext> contexts, TimeProvider clock, TimeSpan? lookEvery = null)
{
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RenewWithin = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ForgetNodesAfter = TimeSpan.FromHours(1);

    private readonly TimeSpan _lookEvery = lookEvery ?? TimeSpan.FromSeconds(2);

    private HashSet<int> _held = [];
    private DateTimeOffset _heldUntil;
    private bool _rowsMade;
    private DateTimeOffset _lookedAt = DateTimeOffset.MinValue;

    /// <summary>This node, as lease rows name it.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public IReadOnlySet<int> Held => _held;

    /// <summary>At the last look, no other node was alive and this one held every partition.</summary>
    public bool Alone => _othersAlive == 0 && _held.Count == WorkflowPartitions.Count;

    private int _othersAlive = int.MaxValue;

    /// <summary>The partitions this node may run now.</summary>
    public async Task<IReadOnlySet<int>> RefreshAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lookedAt < _lookEvery && _heldUntil - now > RenewWithin) return _held;
        _lookedAt = now;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await MakeRowsAsync(db, now, ct);

        var leases = await db.WorkflowLeases.AsNoTracking().ToListAsync(ct);
        _othersAlive = await db.WorkflowRunnerNodes.CountAsync(n => n.SeenAt > now - Duration && n.Owner != Owner, ct);
        var alive = _othersAlive + 1;
        var fairShare = (WorkflowPartitions.Count + alive - 1) / alive;
        var mine = leases.Where(l => l.Owner == Owner && l.ExpiresAt > now).Select(l => l.Partition).Order().ToList();

        if (mine.Count > fairShare)
        {
            var extra = mine.Skip(fairShare).ToList();
            await db.WorkflowLeases.Where(l => extra.Contains(l.Partition) && l.Owner == Owner).ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, (string?)null), ct);
            mine = mine.Take(fairShare).ToList();
        }

        var until = now + Duration;
        if (mine.Count > 0 && _heldUntil - now < RenewWithin)
        {
            var renewed = await db.WorkflowLeases.Where(l => mine.Contains(l.Partition) && l.Owner == Owner && l.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), ct);
            if (renewed != mine.Count)
            {
                mine = await db.WorkflowLeases.Where(l => l.Owner == Owner && l.ExpiresAt == until).Select(l => l.Partition).ToListAsync(ct);
            }

            _heldUntil = until;
        }

        foreach (var free in leases.Where(l => (l.Owner is null || l.ExpiresAt <= now) && !mine.Contains(l.Partition)).Select(l => l.Partition))
        {
            if (mine.Count >= fairShare) break;
            var claimed = await db.WorkflowLeases.Where(l => l.Partition == free && (l.Owner == null || l.ExpiresAt <= now))
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, Owner).SetProperty(l => l.ExpiresAt, until), ct);
            if (claimed == 1)
            {
                mine.Add(free);
                _heldUntil = _heldUntil < now ? until : _heldUntil;
            }
        }

        _held = [.. mine];
        return _held;
    }

    /// <summary>Whether any other node is alive now (one small query; <see cref="Alone"/> is as of the last look).</summary>
    public async Task<bool> OthersAliveAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var since = clock.GetUtcNow() - Duration;
        return await db.WorkflowRunnerNodes.AnyAsync(n => n.SeenAt > since && n.Owner != Owner, ct);
    }

    /// <summary>In the transaction that writes a batch's positions: whether every lease this node ran the batch under still holds (renewed).</summary>
    public async Task<bool> ConfirmAsync(AppDbContext db, IReadOnlySet<int> ranUnder, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var partitions = ranUnder.ToList();
        var kept = await db.WorkflowLeases.Where(l => partitions.Contains(l.Partition) && l.Owner == Owner && l.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now + Duration), ct);
        if (kept == partitions.Count)
        {
            _heldUntil = now + Duration;
            return true;
        }

        _held = [];
        _lookedAt = DateTimeOffset.MinValue;
        return false;
    }

    /// <summary>Gives every lease back (the node is stopping), so another node takes them over at once.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.WorkflowLeases.Where(l => l.Owner == Owner).ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, (string?)null), ct);
        await db.WorkflowRunnerNodes.Where(n => n.Owner == Owner).ExecuteDeleteAsync(ct);
        _held = [];
        _lookedAt = DateTimeOffset.MinValue;
    }

    private async Task MakeRowsAsync(AppDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.WorkflowRunnerNodes.Where(n => n.Owner == Owner).ExecuteUpdateAsync(s => s.SetProperty(n => n.SeenAt, now), ct) == 0)
        {
            db.WorkflowRunnerNodes.Add(new WorkflowRunnerNode { Owner = Owner, SeenAt = now });
            await db.WorkflowRunnerNodes.Where(n => n.SeenAt < now - ForgetNodesAfter).ExecuteDeleteAsync(ct);
        }

        if (!_rowsMade)
        {
            var existing = await db.WorkflowLeases.Select(l => l.Partition).ToListAsync(ct);
            foreach (var partition in Enumerable.Range(0, WorkflowPartitions.Count).Except(existing))
            {
                db.WorkflowLeases.Add(new WorkflowLease { Partition = partition, ExpiresAt = now });
            }
        }

        try
        {
            await db.SaveChangesAsync(ct);
            _rowsMade = true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another node made them at the same moment
        }
    }
}
