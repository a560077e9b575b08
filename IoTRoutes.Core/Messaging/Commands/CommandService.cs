using System.Text;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security.Audit;
using IoTRoutes.Core.Security.Permissions;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Messaging.Commands;

/// <summary>Commands as users see them: send one to a device (Devices.SendCommand) and follow what became of it.</summary>
public sealed class CommandService(ScopedContexts contexts, CommandDispatcher dispatcher, AuditTrail audit, TimeProvider clock, Formats.FormatCatalog formats)
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

    /// <summary>Records the command and publishes it now if the device is connected; otherwise it waits (pending) until it expires.</summary>
    public async Task<(CommandDto? Command, ChangeResult Result)> SendAsync(Guid deviceId, SendCommandRequest request, CancellationToken ct)
    {
        if (CommandRules.CheckName(request.Name?.Trim()) is { } nameProblem)
        {
            return (null, ChangeResult.Invalid("name", nameProblem));
        }

        var payload = request.Payload is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } json ? Encoding.UTF8.GetBytes(json.GetRawText()) : [];
        if (payload.Length > CommandRules.MaxPayloadBytes)
        {
            return (null, ChangeResult.Invalid("payload", $"A command payload has at most {CommandRules.MaxPayloadBytes} bytes."));
        }

        var lifetime = request.ExpiresInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : CommandRules.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > CommandRules.MaxLifetime)
        {
            return (null, ChangeResult.Invalid("expiresInSeconds", $"A command may wait between 1 second and {CommandRules.MaxLifetime.TotalDays} days."));
        }

        var (db, caller) = await contexts.CreateAsync(Permission.Of(SecuredActions.DevicesSendCommand), ct);
        await using var _db = db;
        var device = await db.Devices.AsNoTracking().Where(d => d.Id == deviceId).Select(d => new { d.Id, d.Key, d.Name }).SingleOrDefaultAsync(ct);
        if (device is null)
        {
            return (null, ChangeResult.NotFound);
        }

        var now = clock.GetUtcNow();
        var command = new DeviceCommand
        {
            Id = Guid.CreateVersion7(), DeviceId = device.Id, Name = request.Name!.Trim(), Payload = payload, Status = CommandStatus.Pending,
            CreatedAt = now, ExpiresAt = now + lifetime, CreatedByUserId = caller.UserId,
            CreatedBy = caller.UserId is { } userId ? await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(ct) : null,
        };
        // A device whose profile has a Command format gets the command encoded by it: refused now if it cannot be.
        if (CommandEncoding.Encode(command, formats.For(device.Id)).Error is { } encodingProblem)
        {
            return (null, ChangeResult.Invalid("payload", encodingProblem));
        }

        db.Commands.Add(command);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.CommandSent, caller, $"{device.Name} ({device.Key})", command.Name, ct);
        await dispatcher.TrySendAsync(command.Id, ct);
        return (await FindAsync(deviceId, command.Id, ct), ChangeResult.Done(command.Id));
    }

    private static CommandDto ToDto(DeviceCommand c, string deviceKey) => new(
        c.Id, c.DeviceId, c.Name, c.Payload.Length == 0 ? null : Encoding.UTF8.GetString(c.Payload), c.Status, c.CreatedAt, c.ExpiresAt,
        c.SentAt, c.DeliveredAt, c.RepliedAt, c.Reply is null ? null : Encoding.UTF8.GetString(c.Reply), c.CreatedBy,
        CommandTopics.Command(deviceKey, c.Id));
}
