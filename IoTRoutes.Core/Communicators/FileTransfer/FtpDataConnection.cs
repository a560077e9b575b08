using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// One passive data connection of an FTP session: opened to the port the server gave, encrypted when the session is
/// (PROT P, resuming the control connection's TLS session as vsftpd's require_ssl_reuse demands), then one file or one
/// listing copied through it, each block within the timeout.
/// </summary>
internal sealed class FtpDataConnection : IAsyncDisposable
{
    private const int BlockSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly string _target;
    private readonly StepTimeout _timeout;
    private Stream _stream;
    private SslStream? _tls;

    private FtpDataConnection(Socket socket, string target, StepTimeout timeout)
    {
        _socket = socket;
        _target = target;
        _timeout = timeout;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static async Task<FtpDataConnection> ConnectAsync(IPAddress address, int port, string target, StepTimeout timeout)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Restart());
            return new FtpDataConnection(socket, target, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The TLS handshake, after the server's "150" (servers such as vsftpd start theirs only then).</summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions options)
    {
        _tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        _stream = _tls;
        await _tls.AuthenticateAsClientAsync(options, _timeout.Restart());
    }

    /// <summary>Sends all of <paramref name="source"/>, then ends the data (TLS close_notify, then the TCP end).</summary>
    public async Task SendAsync(Stream source)
    {
        var block = new byte[BlockSize];
        int read;
        while ((read = await source.ReadAsync(block, _timeout.Restart())) > 0)
        {
            await _stream.WriteAsync(block.AsMemory(0, read), _timeout.Restart());
        }

        await _stream.FlushAsync(_timeout.Restart());
        if (_tls is not null)
        {
            await _tls.ShutdownAsync();
        }

        _socket.Shutdown(SocketShutdown.Send);
        await AwaitServerCloseAsync();
    }

    /// <summary>Copies everything the server sends into <paramref name="destination"/>, up to the end of the data.</summary>
    /// <param name="limit">The most bytes accepted (a listing is kept in memory); more is a protocol failure.</param>
    public async Task ReceiveAsync(Stream destination, long limit = long.MaxValue)
    {
        var block = new byte[BlockSize];
        long total = 0;
        int read;
        while ((read = await _stream.ReadAsync(block, _timeout.Restart())) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw new CommunicatorException(ConnectionFailure.Protocol, $"{_target} sent more than {limit} bytes where a directory listing was expected.");
            }

            await destination.WriteAsync(block.AsMemory(0, read), _timeout.Restart());
        }
    }

    /// <summary>
    /// Reads until the server closes its side too. Over TLS 1.3 the server sends session tickets on the data connection
    /// that nobody reads; closing a socket with unread bytes sends a reset instead of an end, and a reset makes the
    /// server's system drop what it has received but not yet read: vsftpd then stores a cut file and answers
    /// "426 Failure reading network stream". Bounded by the timeout: the final reply decides anyway.
    /// </summary>
    private async Task AwaitServerCloseAsync()
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token);
        wait.CancelAfter(_timeout.Limit);
        var sink = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(sink, wait.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && !_timeout.Token.IsCancellationRequested)
        {
            // A server that resets or keeps its side open: its reply on the control connection says how the upload went.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
