using System.Net;
using System.Net.Sockets;

namespace IoTRoutes.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A loopback port the OS just handed out; free again once the probe socket closes.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
