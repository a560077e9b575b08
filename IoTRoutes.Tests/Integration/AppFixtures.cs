using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class SqliteApp() : IoTRoutesApp(TestDatabase.Sqlite());

public sealed class PostgreSqlApp() : IoTRoutesApp(TestDatabase.PostgreSql());

/// <summary>The app behind real Kestrel on a loopback port: for what only a real socket shows (source addresses, Kestrel's own rejections).</summary>
public sealed class KestrelApp() : IoTRoutesApp(TestDatabase.Sqlite(), realHttp: true);

/// <summary>The app behind real Kestrel, trusting loopback as its reverse proxy (X-Forwarded-For).</summary>
public sealed class ProxiedApp() : IoTRoutesApp(TestDatabase.Sqlite(), realHttp: true)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("IoTRoutes:Proxies:Trusted:0", "127.0.0.0/8")];
}
