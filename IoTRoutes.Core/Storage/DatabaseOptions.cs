namespace IoTRoutes.Core.Storage;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>Bound to <c>IoTRoutes:Database</c>; the connection string is <c>ConnectionStrings:IoTRoutes</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "IoTRoutes:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}
