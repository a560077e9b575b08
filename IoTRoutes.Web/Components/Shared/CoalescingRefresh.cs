namespace IoTRoutes.Web.Components.Shared;

/// <summary>
/// Runs a reload when asked, never two at once: requests that arrive during a reload collapse into one more run.
/// Live pages use it so a burst of messages costs a few queries, not one per message.
/// </summary>
public sealed class CoalescingRefresh(Func<Task> reload)
{
    private int _state; // 0 idle, 1 running, 2 running and asked again

    public async Task RequestAsync()
    {
        if (Interlocked.Increment(ref _state) > 1)
        {
            Interlocked.Exchange(ref _state, 2);
            return;
        }

        do
        {
            Interlocked.Exchange(ref _state, 1);
            await reload();
        }
        while (Interlocked.CompareExchange(ref _state, 0, 1) != 1);
    }
}
