using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace IoTRoutes.Tests.Infrastructure;

public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>
    /// A loopback port the OS just handed out and this test run has not handed out before (the OS may give the
    /// same free port twice in a row, e.g. for a broker's plain and TLS ports).
    /// </summary>
    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
