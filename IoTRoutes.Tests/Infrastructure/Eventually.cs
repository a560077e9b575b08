namespace IoTRoutes.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Re-checks <paramref name="probe"/> until it returns a value, failing after <paramref name="timeout"/> (default 20 s).</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
        }
    }
}
