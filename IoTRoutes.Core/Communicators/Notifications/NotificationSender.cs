using IoTRoutes.Core.Communicators.Http;
using IoTRoutes.Core.Communicators.MqttBridge;
using IoTRoutes.Core.Communicators.Smtp;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Core.Communicators.Notifications;

/// <summary>
/// Sends Pending notifications through their rule's communicator: a mail, an HTTP POST (the notification's id as the
/// idempotency key), or an MQTT publish on the bridge. Each is claimed by one compare-and-set, so two nodes never send it
/// at once; a transient failure is tried again with back-off (5 attempts), any other ends it Failed with the reason.
/// </summary>
internal sealed class NotificationSender(
    IDbContextFactory<AppDbContext> contexts, CommunicatorUsage usage, IServiceProvider services, TimeProvider clock, ILogger<NotificationSender> logger)
    : BackgroundService
{
    public const int MaxAttempts = 5;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(2);
    private readonly SemaphoreSlim _wake = new(0);

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }

                await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Sending notifications failed; trying again");
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
            }
        }
    }

    /// <summary>Sends the notifications that are due; returns how many it handled.</summary>
    internal async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.Notifications.Where(n => n.Status == NotificationStatus.Pending && n.NextAttemptAt <= now && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .OrderBy(n => n.Id).Take(20).Select(n => n.Id).ToListAsync(ct);
        var handled = 0;
        foreach (var id in due)
        {
            var claimed = await db.Notifications.Where(n => n.Id == id && n.Status == NotificationStatus.Pending && (n.ClaimedUntil == null || n.ClaimedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ClaimedUntil, now + Claim), ct);
            if (claimed == 0) continue;
            var record = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id, ct);
            var failure = await SendAsync(db, record, ct);
            var attempts = record.Attempts + 1;
            var retry = failure is { Transient: true } && attempts < MaxAttempts;
            var sentAt = clock.GetUtcNow();
            await db.Notifications.Where(n => n.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Attempts, attempts)
                .SetProperty(n => n.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(n => n.Status, failure is null ? NotificationStatus.Sent : retry ? NotificationStatus.Pending : NotificationStatus.Failed)
                .SetProperty(n => n.SentAt, failure is null ? sentAt : null)
                .SetProperty(n => n.NextAttemptAt, sentAt + TimeSpan.FromSeconds(5 * Math.Pow(2, attempts - 1)))
                .SetProperty(n => n.Error, failure == null ? null : failure.Message), ct);
            await usage.RecordAsync(record.CommunicatorId, failure is null, failure?.Message, ct);
            handled++;
        }

        return handled;
    }

    private async Task<CommunicatorException?> SendAsync(AppDbContext db, NotificationRecord record, CancellationToken ct)
    {
        try
        {
            var path = await db.NotificationRules.IgnoreQueryFilters().Where(r => r.Id == record.RuleId).Select(r => r.Entity!.Path).SingleOrDefaultAsync(ct)
                       ?? throw new CommunicatorException(ConnectionFailure.Other, "The rule was deleted before its notification was sent.");
            var connection = await usage.LoadAsync(record.CommunicatorId, path, record.Kind, ct);
            switch (record.Kind)
            {
                case CommunicatorKind.Smtp:
                    var to = record.Recipients.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                    await services.GetRequiredService<SmtpCommunicator>().SendAsync(SmtpKind.SettingsOf(connection), SmtpKind.SecretsOf(connection.Secrets),
                        new MailMessageSpec { To = to, Subject = record.Subject, TextBody = record.Body, IdempotencyKey = record.Id.ToString("N") }, ct);
                    break;
                case CommunicatorKind.Http:
                    await services.GetRequiredService<HttpCommunicator>().SendAsync(connection.Id, HttpKind.SettingsOf(connection), HttpKind.SecretsOf(connection.Secrets),
                        new HttpCall { Method = "POST", Path = record.Recipients, Body = record.Body, ContentType = "application/json", IdempotencyKey = record.Id.ToString("D") }, ct);
                    break;
                case CommunicatorKind.MqttBridge:
                    var bridge = services.GetRequiredService<MqttBridgeHost>().Get(connection.Id)
                                 ?? throw new CommunicatorException(ConnectionFailure.Unavailable, $"The bridge {connection.Name} is not running.");
                    await bridge.PublishAsync(record.Recipients, System.Text.Encoding.UTF8.GetBytes(record.Body), 1, false, ct);
                    break;
                default:
                    throw new CommunicatorException(ConnectionFailure.Other, $"A {record.Kind} communicator cannot carry notifications.");
            }

            return null;
        }
        catch (CommunicatorException e)
        {
            return e;
        }
    }
}
