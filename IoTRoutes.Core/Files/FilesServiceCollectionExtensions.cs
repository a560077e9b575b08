using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Files;

public static class FilesServiceCollectionExtensions
{
    public static IServiceCollection AddFiles(this IServiceCollection services)
    {
        services.AddOptions<FilesOptions>().BindConfiguration(FilesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IFileStore, LocalDiskFileStore>();
        services.AddSingleton<FileSaver>();
        services.AddScoped<FileService>();
        return services;
    }
}
