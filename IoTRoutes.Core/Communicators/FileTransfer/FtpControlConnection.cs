using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// The control connection of an FTP session (RFC 959): commands out, replies in, optionally inside TLS after AUTH TLS
/// (RFC 4217). Each exchange gets the whole timeout of <see cref="StepTimeout"/>.
/// </summary>
internal sealed class FtpControlConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StepTimeout _timeout;
    private Stream _stream;
    private FtpReplyReader _reader;

    private FtpControlConnection(Socket socket, string target, StepTimeout timeout)
    {
        _socket = socket;
        _timeout = timeout;
        Target = target;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new FtpReplyReader(_stream, target);
    }

    /// <summary>"host:port", as messages name the server.</summary>
    public string Target { get; }

    /// <summary>The server's address this connection reached: data connections go there too.</summary>
    public IPAddress RemoteAddress
    {
        get
        {
            // The socket is dual-mode: an IPv4 server shows as ::ffff:a.b.c.d, which an IPv4 socket cannot be given.
            var address = ((IPEndPoint)_socket.RemoteEndPoint!).Address;
            return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        }
    }

    /// <summary>The TLS client options of the control connection, once encrypted; data connections reuse its session.</summary>
    public SslClientAuthenticationOptions? Tls { get; private set; }

    public StepTimeout Timeout => _timeout;

    /// <summary>Connects and reads the server's greeting (220; a 120 "ready in a moment" is waited through).</summary>
    public static async Task<FtpControlConnection> OpenAsync(string host, int port, StepTimeout timeout)
    {
        var target = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, timeout.Restart());
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new FtpControlConnection(socket, target, timeout);
        try
        {
            var greeting = await connection.ReadAsync();
            if (greeting.Code == 120)
            {
                greeting = await connection.ReadAsync();
            }

            if (greeting.Code != 220)
            {
                throw greeting.ToFailure(target, "the connection");
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply, whatever the reply says.</summary>
    public async Task<FtpReply> SendAsync(string command)
    {
        // A line break in an argument would end the command there and start another: names are checked before, this
        // is the last guard.
        if (command.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, "An FTP command must not contain line breaks.");
        }

        await WriteAsync(command);
        return await ReadAsync();
    }

    /// <summary>Sends one command and returns its reply when its code is one of <paramref name="expected"/>; else throws what the reply means.</summary>
    public async Task<FtpReply> ExpectAsync(string command, string what, params int[] expected)
    {
        var reply = await SendAsync(command);
        return expected.Contains(reply.Code) ? reply : throw reply.ToFailure(Target, what);
    }

    /// <summary>Reads the next reply (a transfer's final "226" after its preliminary "150").</summary>
    public Task<FtpReply> ReadAsync() => _reader.ReadAsync(_timeout.Restart());

    /// <summary>AUTH TLS, then the TLS handshake on this connection.</summary>
    public async Task StartTlsAsync(ServerCertificatePolicy policy)
    {
        var reply = await SendAsync("AUTH TLS");
        if (reply.Code != 234)
        {
            throw new CommunicatorException(ConnectionFailure.Tls, $"{Target} does not offer explicit TLS (AUTH TLS answered {reply}); choose plain FTP only if the network may read the password.");
        }

        if (_reader.HasBufferedBytes)
        {
            throw new CommunicatorException(ConnectionFailure.Protocol, $"{Target} sent more than its reply to AUTH TLS.");
        }

        var options = new SslClientAuthenticationOptions
        {
            TargetHost = policy.TlsName,
            RemoteCertificateValidationCallback = policy.Validate,
        };
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(options, _timeout.Restart());
        }
        catch (AuthenticationException e) when (policy.Refusal is { } refusal)
        {
            await tls.DisposeAsync();
            throw new CommunicatorException(ConnectionFailure.Tls, $"The TLS certificate of {Target} was refused: {refusal}.", e);
        }

        _stream = tls;
        _reader = new FtpReplyReader(tls, Target);
        Tls = new SslClientAuthenticationOptions
        {
            TargetHost = policy.TlsName,
            RemoteCertificateValidationCallback = policy.ValidateSame,
        };
    }

    /// <summary>QUIT, politely, without waiting long or failing: the work is done by then.</summary>
    public async Task QuitAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WriteAsync("QUIT");
            await _reader.ReadAsync(quick.Token);
            if (_stream is SslStream tls)
            {
                await tls.ShutdownAsync();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or CommunicatorException or ObjectDisposedException)
        {
            // The server may close first; nothing is lost.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private async Task WriteAsync(string command)
    {
        var bytes = Encoding.UTF8.GetBytes(command + "\r\n");
        var ct = _timeout.Restart();
        await _stream.WriteAsync(bytes, ct);
        await _stream.FlushAsync(ct);
    }
}
