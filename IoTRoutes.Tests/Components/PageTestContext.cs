using Bunit;
using Microsoft.AspNetCore.Components;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Storage;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace IoTRoutes.Tests.Components;

/// <summary>A bUnit context with MudBlazor and the real Core services over a migrated SQLite file.</summary>
public abstract class PageTestContext : BunitContext, IAsyncLifetime
{
    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    protected SqliteContexts Db { get; private set; } = null!;

    protected MessageFeed Feed { get; } = new();

    async Task IAsyncLifetime.InitializeAsync()
    {
        Db = await SqliteContexts.CreateAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(Db);
        Services.AddSingleton(Feed);
        Services.AddSingleton<DeviceService>();
        Services.AddSingleton<MessageQueryService>();
        AddAuthorization().SetAuthorized("admin@test.local");
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // as in a live circuit
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected DeviceService Devices => Services.GetRequiredService<DeviceService>();
}
