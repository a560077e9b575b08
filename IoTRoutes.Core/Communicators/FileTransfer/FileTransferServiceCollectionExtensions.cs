using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IoTRoutes.Core.Communicators.FileTransfer;

public static class FileTransferServiceCollectionExtensions
{
    /// <summary>The FTP, FTPS and SFTP communicator as <see cref="IFileTransferClient"/>.</summary>
    public static IServiceCollection AddFileTransferCommunicator(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IFileTransferClient, FileTransferClient>();
        return services;
    }
}
