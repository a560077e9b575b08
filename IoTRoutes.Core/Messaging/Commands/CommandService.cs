using System.Text;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>Commands as users see them: send one to a device (Devices.SendCommand) and follow what became of it.</summary>
public sealed class CommandService(ScopedContexts contexts, CommandSender sender, AuditTrail audit)
{
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 500;

    /// <summary>The device's commands, newest first; null when the device does not exist for the caller.</summary>
    public async Task<IReadOnlyList<CommandDto>?> ListAsync(Guid deviceId, int limit, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        var key = await db.Devices.Where(d => d.Id == deviceId).Select(d => d.Key).SingleOrDefaultAsync(ct);
        if (key is null)
        {
            return null;
        }

        var commands = await db.Commands.AsNoTracking().Where(c => c.DeviceId == deviceId)
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(Math.Clamp(limit, 1, MaxListLimit)).ToListAsync(ct);
        return commands.ConvertAll(c => ToDto(c, key));
    }

    public async Task<CommandDto?> FindAsync(Guid deviceId, Guid commandId, CancellationToken ct)
    {
        var (db, _) = await contexts.CreateAsync(Permission.View(SecuredObject.Devices), ct);
        await using var _db = db;
        var found = await db.Commands.AsNoTracking().Where(c => c.Id == commandId && c.DeviceId == deviceId)
            .Select(c => new { Command = c, c.Device!.Key }).SingleOrDefaultAsync(ct);
        return found is null ? null : ToDto(found.Command, found.Key);
    }

    /// <summary>
    /// Sends a command as the caller (Devices.SendCommand, on a device it can see): recorded and published now if the
    /// device is connected, otherwise kept pending until it connects or the command expires.
    /// </summary>
    public async Task<(CommandDto? Command, ChangeResult Result)> SendAsync(Guid deviceId, SendCommandRequest request, CancellationToken ct)
    {
        var payload = request.Payload is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : [];
        var lifetime = request.ExpiresInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : CommandRules.DefaultLifetime;
        if (CommandRules.Check(request.Name?.Trim(), payload.Length, lifetime) is var (field, problem))
        {
            return (null, ChangeResult.Invalid(field, problem));
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.DevicesSendCommand), ct);
        await using var _db = db;
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Id, d.Key, d.Name }).SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return (null, ChangeResult.NotFound);
        }

        var email = caller.UserId is { } userId ? await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) : null;
        var sent = await sender.SendAsync(new CommandOrder(device.Id, request.Name!, payload, lifetime, CommandOrigin.User(caller.UserId, email)), ct);
        switch (sent.Outcome)
        {
            case CommandSendOutcome.Invalid:
                return (null, ChangeResult.Invalid(sent.Field!, sent.Problem!));
            case CommandSendOutcome.DeviceNotFound:
                return (null, ChangeResult.NotFound);
        }

        await audit.RecordAsync(AuditActions.CommandSent, caller, $"{device.Name} ({device.Key})", request.Name!.Trim(), ct);
        return (await FindAsync(deviceId, sent.CommandId!.Value, ct), ChangeResult.Done(sent.CommandId!.Value));
    }

    private static CommandDto ToDto(DeviceCommand c, string deviceKey) => new(
        c.Id, c.DeviceId, c.Name, c.Payload.Length == 0 ? null : Encoding.UTF8.GetString(c.Payload), c.Status, c.CreatedAt, c.ExpiresAt,
        c.SentAt, c.DeliveredAt, c.RepliedAt, c.Reply is null ? null : Encoding.UTF8.GetString(c.Reply), c.CreatedBy,
        CommandTopics.Command(deviceKey, c.Id), c.WorkflowId);
}
