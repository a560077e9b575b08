namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// Runs the last action it was given once nothing new came for a quiet period: text is parsed when typing pauses, not
/// on every key. Time comes from the <see cref="TimeProvider"/> so tests move it on instead of waiting.
/// </summary>
public sealed class Debouncer(TimeProvider clock, TimeSpan quiet) : IDisposable
{
    /// <summary>How long typing pauses before a field is parsed.</summary>
    public static readonly TimeSpan Typing = TimeSpan.FromMilliseconds(300);

    private CancellationTokenSource? _pending;

    public async Task RunAsync(Func<Task> action)
    {
        _pending?.Cancel();
        var pending = _pending = new CancellationTokenSource();
        try
        {
            await Task.Delay(quiet, clock, pending.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await action();
    }

    /// <summary>Forgets what waits (the value it was about was replaced).</summary>
    public void Cancel() => _pending?.Cancel();

    public void Dispose() => _pending?.Cancel();
}
