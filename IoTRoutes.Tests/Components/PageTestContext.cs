using System.Text;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Security;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
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

    /// <summary>The signed-in user's policies: a test may narrow them before it renders.</summary>
    protected BunitAuthorizationContext Authorization { get; private set; } = null!;

    protected MessageFeed Feed { get; } = new();

    private readonly PageCaller _caller = new();

    /// <summary>The services act for this stored user from now on (root entity, every permission); by default for no user.</summary>
    protected void ActAs(Guid userId) => _caller.UserId = userId;

    private sealed class PageCaller : ICallerProvider
    {
        public Guid UserId { get; set; }

        public ValueTask<Caller> GetCallerAsync(CancellationToken ct) => ValueTask.FromResult(new Caller(UserId, FixedCaller.Root, FixedCaller.Everything));
    }

    protected IoTRoutes.Core.Workflows.Alerts.AlertFeed AlertFeed { get; } = new();

    async Task IAsyncLifetime.InitializeAsync()
    {
        Db = await SqliteContexts.CreateAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        // The designer's canvas measures itself once; a browser would answer with its size.
        JSInterop.Setup<Blazor.Diagrams.Core.Geometry.Rectangle>("ZBlazorDiagrams.getBoundingClientRect", _ => true).SetResult(new(0, 0, 1200, 800));
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(Db);
        Services.AddSingleton(Feed);
        Services.AddSingleton<ICallerProvider>(_caller);
        Services.AddScoped<ScopedContexts>();
        Services.AddScoped<DeviceService>();
        Services.AddScoped<IoTRoutes.Core.Devices.Import.DeviceImportService>();
        Services.AddSingleton<IoTRoutes.Core.Devices.Attributes.DeviceAttributeFeed>();
        Services.AddScoped<IoTRoutes.Core.Devices.Attributes.DeviceAttributeService>();
        Services.AddSingleton<IoTRoutes.Core.Devices.Attributes.DeviceAttributeWriter>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Telemetry.ComputedTelemetryWriter>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Formats.FormatCatalog>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Profiles.ProfileService>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Formats.FormatService>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Formats.VersionTestResults>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Formats.Import.DeviceRepositoryImport>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Lifecycle.OrphanSweepSignal>();
        Services.AddSingleton<IDeviceConnections, NoDeviceConnections>();
        Services.AddScoped<MessageQueryService>();
        Services.AddOptions<IoTRoutes.Core.Messaging.Pipeline.IntakeOptions>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Pipeline.MessageIntake>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Explorer.MessageExplorer>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Telemetry.TelemetrySeries>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Rejections.RejectedMessageService>();
        Services.AddSingleton(sp => new MessageDecoder(new IoTRoutes.Core.Messaging.Formats.JsonPayloadDecoder(), sp.GetRequiredService<IoTRoutes.Core.Messaging.Formats.FormatCatalog>()));
        Services.AddSingleton<IoTRoutes.Core.Messaging.Formats.LatestFieldValues>();
        Services.AddScoped<MessageReprocessing>();
        Services.AddScoped<EntityService>();
        Services.AddScoped<IoTRoutes.Core.Security.Permissions.RoleService>();
        Services.AddOptions<IoTRoutes.Core.Security.LockoutOptions>();
        Services.AddSingleton<IoTRoutes.Core.Security.SignIn.SignInThrottle>();
        Services.AddUserIdentity();
        Services.AddSingleton<IoTRoutes.Core.Security.Permissions.PermissionResolver>();
        Services.AddSingleton<IoTRoutes.Core.Security.Audit.AuditTrail>();
        Services.AddScoped<IoTRoutes.Core.Security.Audit.AuditLogService>();
        Services.AddScoped<IoTRoutes.Core.Security.UserService>();
        Services.AddSingleton(AlertFeed);
        Services.AddScoped<IoTRoutes.Core.Workflows.Alerts.AlertService>();
        Services.AddOptions<IoTRoutes.Core.Files.FilesOptions>();
        Services.AddSingleton<IoTRoutes.Core.Files.IFileStore, IoTRoutes.Core.Files.LocalDiskFileStore>();
        Services.AddSingleton<IoTRoutes.Core.Files.FileSaver>();
        Services.AddScoped<IoTRoutes.Core.Files.FileService>();
        Services.AddOptions<IoTRoutes.Core.Media.MediaLimits>();
        Services.AddSingleton<IoTRoutes.Core.Media.MediaInterpreter>();
        Services.AddSingleton<IoTRoutes.Core.Media.Intake.MediaArrivals>();
        AddMessagingServices();
        IoTRoutes.Core.Communicators.CommunicatorsServiceCollectionExtensions.AddCommunicators(Services, _dataDirectory);
        IoTRoutes.Core.Workflows.WorkflowsServiceCollectionExtensions.AddWorkflows(Services);
        Services.AddScoped<IoTRoutes.Web.Components.Pages.Workflows.Designer.DesignerClipboard>(); // as AddUserInterface
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("admin@test.local").SetPolicies(
            Policies.DevicesView, Policies.DevicesManage, Policies.DevicesRegenerateSecret, Policies.MessagesView, Policies.MessagesManage, Policies.EntitiesView, Policies.EntitiesManage, Policies.RolesView, Policies.RolesManage,
            Policies.UsersView, Policies.UsersManage, Policies.UsersResetPassword, Policies.AuditLogView,
            Policies.BrokersView, Policies.BrokersManage, Policies.BrokersActivate, Policies.DevicesSendCommand, Policies.FormatsView, Policies.FormatsManage, Policies.MessagesExport,
            Policies.WorkflowsView, Policies.WorkflowsManage, Policies.WorkflowsPublish, Policies.AlertsView, Policies.AlertsManage,
            Policies.FilesView, Policies.FilesManage, Policies.CommunicatorsView, Policies.CommunicatorsManage);
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // as in a live circuit
    }

    /// <summary>Brokers, commands and certificates as the app wires them; no broker is started.</summary>
    private void AddMessagingServices()
    {
        Services.Configure<IoTRoutes.Core.IoTRoutesOptions>(o => o.DataDirectory = _dataDirectory);
        Services.AddOptions<IoTRoutes.Core.Messaging.Brokers.DefaultBrokerOptions>();
        Services.AddOptions<MessagingOptions>();
        Services.AddOptions<IoTRoutes.Core.Messaging.Pipeline.IntakeOptions>();
        Services.AddOptions<IoTRoutes.Core.Devices.Certificates.TlsOptions>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Pipeline.MessageIntake>();
        Services.AddSingleton<DeviceCredentialValidator>();
        Services.AddSingleton<IoTRoutes.Core.Devices.Certificates.DeviceCertificateValidator>();
        Services.AddSingleton<IoTRoutes.Core.Devices.Certificates.CertificateAuthority>();
        Services.AddSingleton<DeviceStatusService>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.DeviceConnectionTracker>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.ConnectionChanges>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.BrokerEvents>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.BrokerHostServices>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.IBrokerTransports, IoTRoutes.Core.Messaging.Brokers.NoExtraTransports>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Brokers.BrokerManager>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Commands.CommandDispatcher>();
        Services.AddSingleton<IoTRoutes.Core.Messaging.Commands.CommandSender>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Brokers.BrokerService>();
        Services.AddScoped<IoTRoutes.Core.Messaging.Commands.CommandService>();
        Services.AddScoped<ConnectionHistoryService>();
        Services.AddScoped<DeviceBrokerLocator>();
        Services.AddScoped<IoTRoutes.Core.Devices.Certificates.DeviceCertificateService>();
    }

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "iotroutes-pages", Guid.NewGuid().ToString("N"));

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

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
            Id = MessageIds.Next(Clock.GetUtcNow()),
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
