using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>
/// The app's latest warnings and errors, kept so that a test waiting in vain can say what the app complained of
/// (a CI run has no other trace of it).
/// </summary>
public sealed class RecentWarnings : ILoggerProvider
{
    private const int Kept = 40;
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The kept lines, oldest first.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public override string ToString() => _lines.IsEmpty ? "(the app logged no warnings)" : string.Join(Environment.NewLine, _lines);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Kept) _lines.TryDequeue(out _);
    }

    private sealed class Logger(RecentWarnings owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            owner.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}"
                + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]"));
        }
    }
}
