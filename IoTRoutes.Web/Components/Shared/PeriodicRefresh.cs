namespace IoTRoutes.Web.Components.Shared;

/// <summary>
/// Calls a reload every period until disposed, one at a time: a slow reload delays the next tick instead of overlapping
/// it. Live cards start one when interactive and dispose it with themselves; the reload handles its own errors.
/// </summary>
public sealed class PeriodicRefresh : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public PeriodicRefresh(TimeSpan period, TimeProvider clock, Func<CancellationToken, Task> reload) =>
        _ = RunAsync(new PeriodicTimer(period, clock), reload, _stop.Token);

    private static async Task RunAsync(PeriodicTimer timer, Func<CancellationToken, Task> reload, CancellationToken ct)
    {
        using (timer)
        {
            try
            {
                while (await timer.WaitForNextTickAsync(ct))
                {
                    await reload(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Disposed: the component is gone.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
