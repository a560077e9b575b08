using System.Net;
using System.Net.Sockets;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>
/// HTTP clients whose connections leave from a chosen loopback address (127.0.0.2, 127.0.0.3...): Linux routes all of
/// 127.0.0.0/8 to the loopback interface, so the server sees requests from distinct clients.
/// </summary>
public static class SourceAddressClient
{
    public static HttpClient Create(string baseAddress, string sourceAddress) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                    var target = (await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, AddressFamily.InterNetwork, ct))[0];
                    await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = new Uri(baseAddress) };
}
