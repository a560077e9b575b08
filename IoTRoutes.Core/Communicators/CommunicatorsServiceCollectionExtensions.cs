using IoTRoutes.Core.Communicators.FileTransfer;
using IoTRoutes.Core.Communicators.Http;
using IoTRoutes.Core.Communicators.Smtp;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Communicators;

public static class CommunicatorsServiceCollectionExtensions
{
    /// <summary>
    /// Communicators, their secrets' encryption (Data Protection: the key ring in the database, encrypted by a certificate
    /// of the data directory) and their kinds.
    /// </summary>
    /// <param name="dataDirectory">Where <see cref="KeyRingCertificate"/> lives.</param>
    public static IServiceCollection AddCommunicators(this IServiceCollection services, string dataDirectory)
    {
        services.AddDataProtection().SetApplicationName("IoTRoutes").ProtectKeysWithCertificate(KeyRingCertificate.LoadOrCreate(dataDirectory));
        services.AddOptions<KeyManagementOptions>().Configure<IDbContextFactory<AppDbContext>>((o, contexts) => o.XmlRepository = new DatabaseKeyRepository(contexts));
        services.AddSingleton<CommunicatorSecretBox>();
        services.AddSingleton<CommunicatorUsage>();
        services.AddSingleton<CommunicatorKinds>();
        services.AddScoped<CommunicatorService>();
        services.AddScoped<Notifications.NotificationRuleService>();
        services.AddSingleton<Notifications.NotificationSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.NotificationSender>());
        services.AddSingleton<Notifications.NotificationQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<Notifications.NotificationQueue>());
        services.AddHttpCommunicator();
        services.AddSingleton<ICommunicatorKind, Http.HttpKind>();
        services.AddSmtpCommunicator();
        services.AddSingleton<ICommunicatorKind, Smtp.SmtpKind>();
        services.AddAction<Actions.SendEmailAction>();
        services.AddAction<Actions.HttpRequestAction>();
        services.AddAction<Actions.UploadFileAction>();
        services.AddAction<Actions.ForwardToMqttAction>();
        services.AddFileTransferCommunicator();
        services.AddSingleton<ICommunicatorKind>(sp => new FileTransfer.FileTransferKind(CommunicatorKind.Ftp, sp.GetRequiredService<FileTransfer.IFileTransferClient>()));
        services.AddSingleton<ICommunicatorKind>(sp => new FileTransfer.FileTransferKind(CommunicatorKind.Sftp, sp.GetRequiredService<FileTransfer.IFileTransferClient>()));
        return services;
    }
}
