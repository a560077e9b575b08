namespace IoTRoutes.Tests.Infrastructure;

/// <summary>Where a test app keeps its data: a fresh SQLite file, or a fresh database on the throwaway PostgreSQL server.</summary>
public sealed record TestDatabase(string Provider, string? ConnectionString)
{
    /// <summary>Set by the test command (test.sh) after it starts PostgreSQL, e.g. <c>Host=127.0.0.1;Port=55432;Username=postgres</c>.</summary>
    public const string PostgresVariable = "IOTROUTES_TEST_POSTGRES";

    public static TestDatabase Sqlite() => new("Sqlite", null);

    public static TestDatabase PostgreSql()
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"{PostgresVariable} is not set: run the suite with ./test.sh, which starts a throwaway PostgreSQL server.");
        }

        return new("PostgreSql", $"{server};Database=iotroutes_{Guid.NewGuid():N}");
    }
}
