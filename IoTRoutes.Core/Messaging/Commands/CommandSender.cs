using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>A command to record: for which device, what, how long it may wait for the device, and who sent it.</summary>
public sealed record CommandOrder(Guid DeviceId, string Name, byte[] Payload, TimeSpan Lifetime, CommandOrigin Origin);

/// <summary>
/// Who sent a command: a user, or a workflow with the key of its effect (unique: a run repeated after a crash sends
/// nothing twice). A workflow's command shows as <c>Workflow &lt;its name&gt;</c>.
/// </summary>
public sealed record CommandOrigin(Guid? UserId, string? UserEmail, Guid? WorkflowId, string? EffectKey)
{
    public static CommandOrigin User(Guid? userId, string? email) => new(userId, email, null, null);

    public static CommandOrigin Workflow(Guid workflowId, string? effectKey) => new(null, null, workflowId, effectKey);
}

public enum CommandSendOutcome
{
    /// <summary>Recorded and handed to the dispatcher: published now if the device is connected, else pending.</summary>
    Sent,

    /// <summary>A command with the same effect key was recorded before: that one is the answer, nothing new is sent.</summary>
    AlreadySent,

    DeviceNotFound,

    /// <summary>A rule is broken or the device's Command format cannot encode it (<see cref="CommandSendResult.Field"/>).</summary>
    Invalid,
}

public sealed record CommandSendResult(CommandSendOutcome Outcome, Guid? CommandId = null, CommandStatus? Status = null, string? Field = null, string? Problem = null)
{
    public static CommandSendResult Invalid(string field, string problem) => new(CommandSendOutcome.Invalid, Field: field, Problem: problem);
}

/// <summary>
/// The one path by which a command comes to be: checked against the rules, encoded as the device will receive it (refused
/// when its profile's Command format cannot encode it), recorded, and handed to <see cref="CommandDispatcher"/>, which
/// publishes it now to a connected device and otherwise when the device connects. No user and no scope: callers check
/// who may send (<see cref="CommandService"/> for users; workflows run as the platform).
/// </summary>
public sealed class CommandSender(IDbContextFactory<AppDbContext> contexts, CommandDispatcher dispatcher, TimeProvider clock, Formats.FormatCatalog formats)
{
    public async Task<CommandSendResult> SendAsync(CommandOrder order, CancellationToken ct)
    {
        var name = order.Name.Trim();
        if (CommandRules.Check(name, order.Payload.Length, order.Lifetime) is var (field, problem))
        {
            return CommandSendResult.Invalid(field, problem);
        }

        var key = order.Origin.EffectKey;
        if (key is { Length: > CommandRules.MaxEffectKeyLength })
        {
            throw new ArgumentException($"An effect key has at most {CommandRules.MaxEffectKeyLength} characters.", nameof(order));
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (key is not null && await AlreadySentAsync(db, key, ct) is { } earlier)
        {
            return earlier;
        }

        if (!await db.Devices.AnyAsync(d => d.Id == order.DeviceId, ct))
        {
            return new(CommandSendOutcome.DeviceNotFound);
        }

        var now = clock.GetUtcNow();
        var command = new DeviceCommand
        {
            Id = Guid.CreateVersion7(), DeviceId = order.DeviceId, Name = name, Payload = order.Payload, Status = CommandStatus.Pending,
            CreatedAt = now, ExpiresAt = now + order.Lifetime, CreatedByUserId = order.Origin.UserId,
            CreatedBy = await CreatedByAsync(db, order.Origin, ct), WorkflowId = order.Origin.WorkflowId, EffectKey = key,
        };
        if (CommandEncoding.Encode(command, formats.For(order.DeviceId)).Error is { } encodingProblem)
        {
            return CommandSendResult.Invalid("payload", encodingProblem);
        }

        db.Commands.Add(command);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same effect ran at the same time (its unique key refused this one), or the device went meanwhile.
            await using var again = await contexts.CreateDbContextAsync(ct);
            if (key is not null && await AlreadySentAsync(again, key, ct) is { } concurrent)
            {
                return concurrent;
            }

            if (!await again.Devices.AnyAsync(d => d.Id == order.DeviceId, ct))
            {
                return new(CommandSendOutcome.DeviceNotFound);
            }

            throw;
        }

        await dispatcher.TrySendAsync(command.Id, ct);
        return new(CommandSendOutcome.Sent, command.Id, await StatusAsync(db, command.Id, ct));
    }

    /// <summary>
    /// The command an earlier run of the same effect recorded. Handed to the dispatcher again: a crash between recording
    /// and dispatching would otherwise leave it pending until the device's next connection (it goes out once either way).
    /// </summary>
    private async Task<CommandSendResult?> AlreadySentAsync(AppDbContext db, string key, CancellationToken ct)
    {
        var earlier = await db.Commands.Where(c => c.EffectKey == key).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
        if (earlier is not { } id)
        {
            return null;
        }

        await dispatcher.TrySendAsync(id, ct);
        return new(CommandSendOutcome.AlreadySent, id, await StatusAsync(db, id, ct));
    }

    /// <summary>Its status now; null when it is gone (its device was deleted meanwhile).</summary>
    private static Task<CommandStatus?> StatusAsync(AppDbContext db, Guid id, CancellationToken ct) =>
        db.Commands.Where(c => c.Id == id).Select(c => (CommandStatus?)c.Status).SingleOrDefaultAsync(ct);

    private static async Task<string?> CreatedByAsync(AppDbContext db, CommandOrigin origin, CancellationToken ct)
    {
        if (origin.WorkflowId is not { } workflowId)
        {
            return origin.UserEmail;
        }

        var name = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => w.Name).SingleOrDefaultAsync(ct);
        return TextLimits.Clip($"Workflow {name ?? workflowId.ToString()}", CommandRules.MaxCreatedByLength);
    }
}
