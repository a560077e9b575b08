using System.Net.Http.Headers;
using System.Net.Http.Json;
using IoTRoutes.Core.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>
/// The real application on a test database, with its MQTT broker on a free loopback port.
/// Web requests go through the in-memory test server unless <see cref="UseRealHttp"/> is set (for the browser).
/// </summary>
public class IoTRoutesApp : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Sup3r-secret-pw";

    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;

    public IoTRoutesApp() : this(TestDatabase.Sqlite())
    {
    }

    /// <param name="dataDirectory">An existing data folder to run on (a restart); the caller deletes it. Default: a new one, deleted with the app.</param>
    public IoTRoutesApp(TestDatabase database, bool realHttp = false, string? dataDirectory = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        _dataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "iotroutes-tests", Guid.NewGuid().ToString("N"));
        Database = database;
        UseRealHttp = realHttp;
        if (realHttp)
        {
            UseKestrel(0);
        }
    }

    public TestDatabase Database { get; }

    public bool UseRealHttp { get; }

    public int MqttPort { get; } = FreePort.Next();

    public int MqttTlsPort { get; } = FreePort.Next();

    public string DataDirectory => _dataDirectory;

    /// <summary>The app's latest warnings and errors.</summary>
    public RecentWarnings Warnings { get; } = new();

    /// <summary>
    /// <see cref="Eventually.GetAsync"/>, whose timeout also tells the app's latest warnings: for waits on the app's own
    /// background work (runner, dispatcher), where a CI failure has nothing else to go on.
    /// </summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        try
        {
            return await Eventually.GetAsync(probe, what, timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}{Environment.NewLine}The app's latest warnings:{Environment.NewLine}{Warnings}", e);
        }
    }

    /// <summary>Extra settings a test class needs (e.g. a small payload limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Warnings));
        builder.UseSetting("IoTRoutes:DataDirectory", _dataDirectory);
        builder.UseSetting("IoTRoutes:Database:Provider", Database.Provider);
        if (Database.ConnectionString is { } cs)
        {
            builder.UseSetting("ConnectionStrings:IoTRoutes", cs);
        }

        builder.UseSetting("IoTRoutes:DefaultBroker:Port", MqttPort.ToString());
        builder.UseSetting("IoTRoutes:DefaultBroker:TlsPort", MqttTlsPort.ToString());
        builder.UseSetting("IoTRoutes:DefaultBroker:BindAddress", "127.0.0.1");
        builder.UseSetting("IoTRoutes:DefaultBroker:MaxConnectAttemptsPerMinute", "1000000"); // every test connects from 127.0.0.1
        builder.UseSetting("IoTRoutes:Admin:Email", AdminEmail);
        builder.UseSetting("IoTRoutes:Admin:Password", AdminPassword);
        foreach (var (key, value) in ExtraSettings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Starts the app (database migrated, broker listening) and returns it.</summary>
    public IoTRoutesApp Started()
    {
        if (UseRealHttp)
        {
            StartServer();
        }
        else
        {
            _ = Server;
        }

        return this;
    }

    public string BaseAddress => ClientOptions.BaseAddress.ToString().TrimEnd('/');

    public async Task<HttpClient> CreateAuthenticatedClientAsync()
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email = AdminEmail, password = AdminPassword });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    /// <summary>An API client signed in as a new user (see <see cref="CreateUserAsync"/>; the users API comes later).</summary>
    public async Task<HttpClient> CreateClientForNewUserAsync(Guid entityId, params Guid[] roleIds)
    {
        var (email, password) = await CreateUserAsync(entityId, roleIds);
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    /// <summary>Adds a user attached to <paramref name="entityId"/> with <paramref name="roleIds"/>; returns how to sign in as it.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(Guid entityId, params Guid[] roleIds)
    {
        var email = $"user-{Guid.NewGuid():N}@test.local";
        const string password = "user-password-1";
        await using (var db = await CreateDbContextAsync())
        {
            var user = new IoTRoutes.Core.Security.User
            {
                Id = Guid.CreateVersion7(), Email = email, NormalizedEmail = email.ToUpperInvariant(), PasswordHash = "", EntityId = entityId,
            };
            user.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<IoTRoutes.Core.Security.User>().HashPassword(user, password);
            db.Users.Add(user);
            db.UserRoles.AddRange(roleIds.Select(r => new IoTRoutes.Core.Security.Permissions.UserRole { UserId = user.Id, RoleId = r }));
            await db.SaveChangesAsync();
        }

        return (email, password);
    }

    public async Task<AppDbContext> CreateDbContextAsync() =>
        await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        catch (InvalidOperationException e)
        {
            // Seen once in CI after the browser journeys, and once in a full local run (2026-12-06, DeviceCertificatesTests'
            // SQLite host; not in three further runs): stopping the host threw. Every assertion of the class has run by then;
            // the exception is printed, not hidden, so the cause can be found from the log (docs/architecture.md, open issues).
            Console.Error.WriteLine($"Stopping the test host failed: {e}");
        }

        if (Database.Provider == "PostgreSql")
        {
            await DropPostgresDatabaseAsync();
        }

        if (!_ownsDataDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment on slow machines; the temp folder is cleaned by the OS.
        }
    }

    private async Task DropPostgresDatabaseAsync()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Database.ConnectionString);
        var name = builder.Database;
        builder.Database = "postgres";
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public sealed record TokenBody(string AccessToken, string RefreshToken, int ExpiresIn);
}
