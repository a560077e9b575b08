using IoTRoutes.Tests.Infrastructure;

namespace IoTRoutes.Tests.Integration;

public sealed class SqliteApp() : IoTRoutesApp(TestDatabase.Sqlite());

public sealed class PostgreSqlApp() : IoTRoutesApp(TestDatabase.PostgreSql());
