using System.Net.Sockets;
using System.Text;

namespace IoTRoutes.Tests.Infrastructure;

/// <summary>HTTP/1.1 written byte for byte on a socket: for what HttpClient would correct or refuse to send.</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> as is and returns everything the server answers until it closes the connection.</summary>
    public static async Task<string> ExchangeAsync(Uri server, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>A GET of <paramref name="target"/> that asks the server to close the connection after answering.</summary>
    public static string Get(string target, string extraHeaders = "") =>
        $"GET {target} HTTP/1.1\r\nHost: localhost\r\n{extraHeaders}Connection: close\r\n\r\n";
}
