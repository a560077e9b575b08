using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Communicators;

/// <summary>
/// Communicators as the platform uses them, with no user: loaded for a workflow or a rule within the caller's part of the
/// entity tree, their secrets decrypted; every use's outcome kept as the last use or last error the page shows; a change
/// announced so that clients built from old settings are dropped.
/// </summary>
public sealed class CommunicatorUsage(IDbContextFactory<AppDbContext> contexts, CommunicatorSecretBox secrets, TimeProvider clock)
{
    /// <summary>Raised with the id of a communicator created, changed or deleted.</summary>
    public event Action<Guid>? ChangedOrDeleted;

    public void Changed(Guid id) => ChangedOrDeleted?.Invoke(id);

    /// <summary>
    /// The communicator <paramref name="id"/> if it is enabled and belongs to the entity at <paramref name="entityPath"/> or
    /// above it (a workflow uses its own entity's communicators and its ancestors'); else a <see cref="CommunicatorException"/>.
    /// </summary>
    public Task<CommunicatorConnection> LoadAsync(Guid id, string entityPath, CommunicatorKind expected, CancellationToken ct) =>
        LoadAsync(id, entityPath, [expected], ct);

    /// <summary>As <see cref="LoadAsync(Guid, string, CommunicatorKind, CancellationToken)"/>, of any of the <paramref name="expected"/> kinds.</summary>
    public async Task<CommunicatorConnection> LoadAsync(Guid id, string entityPath, IReadOnlyCollection<CommunicatorKind> expected, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Communicators.IgnoreQueryFilters().AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { Communicator = c, c.Entity!.Path }).SingleOrDefaultAsync(ct);
        if (row is null || !entityPath.StartsWith(row.Path, StringComparison.Ordinal))
            throw new CommunicatorException(ConnectionFailure.Other, $"There is no communicator {id} this workflow may use (its own entity's or an ancestor's).");
        var c = row.Communicator;
        if (!expected.Contains(c.Kind))
            throw new CommunicatorException(ConnectionFailure.Other, $"Communicator {c.Name} is a {c.Kind} communicator, not {string.Join(" or ", expected)}.");
        if (!c.Enabled) throw new CommunicatorException(ConnectionFailure.Other, $"Communicator {c.Name} is disabled.");
        return new CommunicatorConnection(c.Id, c.Revision, c.Name, c.Kind, JsonNode.Parse(c.Settings)!.AsObject(), secrets.Unprotect(c.ProtectedSecrets));
    }

    /// <summary>Keeps the outcome of a use: the time, and the error (one sentence, no secret) or its absence.</summary>
    public async Task RecordAsync(Guid id, bool succeeded, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var clipped = error is { Length: > 1000 } ? error[..997] + "..." : error;
        if (succeeded)
            await db.Communicators.IgnoreQueryFilters().Where(c => c.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now).SetProperty(c => c.LastSucceeded, true), ct);
        else
            await db.Communicators.IgnoreQueryFilters().Where(c => c.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.LastUsedAt, now).SetProperty(c => c.LastSucceeded, false)
                .SetProperty(c => c.LastError, clipped).SetProperty(c => c.LastErrorAt, now), ct);
    }
}
