using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Workflows.State;

/// <summary>
/// Node state in the database behind a cache: a value is read from the database the first time a node asks for it, then
/// served from memory; changes are kept in memory and written by <see cref="FlushAsync"/> (the runner calls it as it
/// commits its position). A value is cloned in and out, so a node can change what it got without touching the cache.
/// </summary>
public sealed class DurableNodeState(IDbContextFactory<AppDbContext> contexts, TimeProvider clock) : INodeStateStore
{
    /// <summary>Past this many cached values, those already written are forgotten (they are read again when needed).</summary>
    private const int MaxCached = 200_000;

    private readonly ConcurrentDictionary<StateKey, Entry> _cache = new();

    public async ValueTask<JsonNode?> GetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, CancellationToken ct)
    {
        var id = new StateKey(workflowId, nodeId, deviceId ?? Guid.Empty, key);
        if (!_cache.TryGetValue(id, out var entry))
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var stored = await db.WorkflowNodeStates.AsNoTracking()
                .Where(s => s.WorkflowId == id.WorkflowId && s.NodeId == id.NodeId && s.DeviceId == id.DeviceId && s.Key == id.Key)
                .Select(s => s.Value).SingleOrDefaultAsync(ct);
            entry = _cache.GetOrAdd(id, new Entry(stored is null ? null : JsonNode.Parse(stored), Dirty: false));
        }

        return entry.Value?.DeepClone();
    }

    public ValueTask SetAsync(Guid workflowId, string nodeId, Guid? deviceId, string key, JsonNode? value, CancellationToken ct)
    {
        _cache[new StateKey(workflowId, nodeId, deviceId ?? Guid.Empty, key)] = new Entry(value?.DeepClone(), Dirty: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the values changed since the last flush, in a context of its own; returns how many.</summary>
    public async Task<int> FlushAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var flush = await StageAsync(db, ct);
        await db.SaveChangesAsync(ct);
        flush.Committed();
        return flush.Count;
    }

    /// <summary>
    /// Adds the values changed since the last flush to <paramref name="db"/>, for the caller to save in its own transaction
    /// (the runner's, with the positions the state goes with); <see cref="StagedState.Committed"/> once saved.
    /// </summary>
    public async Task<StagedState> StageAsync(AppDbContext db, CancellationToken ct)
    {
        var dirty = _cache.Where(p => p.Value.Dirty).ToList();
        if (dirty.Count == 0) return new StagedState(this, dirty);
        var workflows = dirty.Select(d => d.Key.WorkflowId).Distinct().ToList();
        var devices = dirty.Select(d => d.Key.DeviceId).Distinct().ToList();
        var rows = await db.WorkflowNodeStates.Where(s => workflows.Contains(s.WorkflowId) && devices.Contains(s.DeviceId))
            .ToDictionaryAsync(s => new StateKey(s.WorkflowId, s.NodeId, s.DeviceId, s.Key), ct);
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in dirty)
        {
            var text = entry.Value?.ToJsonString() ?? "null";
            if (rows.TryGetValue(key, out var row)) (row.Value, row.UpdatedAt) = (text, now);
            else db.WorkflowNodeStates.Add(new WorkflowNodeState { WorkflowId = key.WorkflowId, NodeId = key.NodeId, DeviceId = key.DeviceId, Key = key.Key, Value = text, UpdatedAt = now });
        }

        return new StagedState(this, dirty);
    }

    private void Committed(List<KeyValuePair<StateKey, Entry>> written)
    {
        foreach (var (key, entry) in written)
        {
            // Written as it was read; a value set again meanwhile stays dirty for the next flush.
            _cache.TryUpdate(key, entry with { Dirty = false }, entry);
        }

        if (_cache.Count > MaxCached)
        {
            foreach (var clean in _cache.Where(p => !p.Value.Dirty).Take(_cache.Count - MaxCached / 2).ToList()) _cache.TryRemove(clean);
        }
    }

    /// <summary>Values added to a context by <see cref="StageAsync"/>: marked as written once the caller has saved them.</summary>
    public sealed class StagedState
    {
        private readonly DurableNodeState _owner;
        private readonly List<KeyValuePair<StateKey, Entry>> _values;

        internal StagedState(DurableNodeState owner, List<KeyValuePair<StateKey, Entry>> values) => (_owner, _values) = (owner, values);

        public int Count => _values.Count;

        public void Committed() => _owner.Committed(_values);
    }

    /// <summary>Forgets a workflow's cached state (deleted, or its state reset).</summary>
    public void Forget(Guid workflowId)
    {
        foreach (var key in _cache.Keys.Where(k => k.WorkflowId == workflowId).ToList()) _cache.TryRemove(key, out _);
    }

    /// <summary>Forgets the cached state of some devices (their partition was run by another node meanwhile: it may have changed).</summary>
    public void ForgetDevices(Func<Guid, bool> device)
    {
        foreach (var key in _cache.Keys.Where(k => device(k.DeviceId)).ToList()) _cache.TryRemove(key, out _);
    }

    internal readonly record struct StateKey(Guid WorkflowId, string NodeId, Guid DeviceId, string Key);

    internal sealed record Entry(JsonNode? Value, bool Dirty);
}
