using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Storage;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using IoTRoutes.Web.Security;
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
        Services.AddSingleton<ICallerProvider>(new FixedCaller());
        Services.AddScoped<ScopedContexts>();
        Services.AddScoped<DeviceService>();
        Services.AddSingleton<IDeviceConnections, NoDeviceConnections>();
        Services.AddScoped<MessageQueryService>();
        Services.AddScoped<EntityService>();
        Services.AddScoped<IoTRoutes.Core.Security.Permissions.RoleService>();
        Services.AddOptions<IoTRoutes.Core.Security.LockoutOptions>();
        Services.AddUserIdentity();
        Services.AddSingleton<IoTRoutes.Core.Security.Permissions.PermissionResolver>();
        Services.AddSingleton<IoTRoutes.Core.Security.Audit.AuditTrail>();
        Services.AddScoped<IoTRoutes.Core.Security.Audit.AuditLogService>();
        Services.AddScoped<IoTRoutes.Core.Security.UserService>();
        AddAuthorization().SetAuthorized("admin@test.local").SetPolicies(
            Policies.DevicesView, Policies.DevicesManage, Policies.DevicesRegenerateSecret, Policies.MessagesView, Policies.EntitiesView, Policies.EntitiesManage, Policies.RolesView, Policies.RolesManage,
            Policies.UsersView, Policies.UsersManage, Policies.UsersResetPassword, Policies.AuditLogView);
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // as in a live circuit
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Db.DisposeAsync();
    }

    protected DeviceService Devices => Services.GetRequiredService<DeviceService>();

    protected async Task<CreatedDeviceDto> CreateDeviceAsync(string name) =>
        (await Devices.CreateAsync(new CreateDeviceRequest(name), default)).Device!;

    /// <summary>Stores a message one second after the previous one, as the pipeline would have left it.</summary>
    protected async Task StoreMessageAsync(CreatedDeviceDto device, string payload, MessageState state = MessageState.Processed, string? reason = null)
    {
        Clock.Advance(TimeSpan.FromSeconds(1));
        await using var db = Db.CreateDbContext();
        db.Messages.Add(new Message
        {
            Id = Guid.CreateVersion7(),
            DeviceId = device.Id,
            Topic = $"devices/{device.Key}/telemetry",
            Payload = Encoding.UTF8.GetBytes(payload),
            PayloadSize = Encoding.UTF8.GetByteCount(payload),
            ReceivedAt = Clock.GetUtcNow(),
            State = state,
            RejectionReason = reason,
            ProcessedAt = Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }
}
