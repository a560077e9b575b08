namespace IoTRoutes.Web.Http;

/// <summary>
/// How many of a connection's requests the application is handling now (from the first middleware until the response
/// has been written). Whatever Kestrel writes while none is, Kestrel wrote on its own: a request it rejected before
/// the application could see it, or a timeout.
/// </summary>
internal sealed class RequestsInApp
{
    public static readonly object Key = typeof(RequestsInApp);

    private int _count;

    public bool Any => Volatile.Read(ref _count) > 0;

    public void Enter() => Interlocked.Increment(ref _count);

    public void Leave() => Interlocked.Decrement(ref _count);
}
