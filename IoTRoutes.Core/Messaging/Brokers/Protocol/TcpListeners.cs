using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace IoTRoutes.Core.Messaging.Brokers.Protocol;

/// <summary>
/// The broker's TCP and TLS endpoints, in place of MQTTnet's own listener, which gave every accepted socket its buffers
/// and tasks at once, waited for a TLS handshake without any time limit, and could not refuse a connection before
/// CONNECT. Here a new connection first takes a place in <see cref="PendingConnects"/> (or is reset at once), then waits
/// for its first bytes with no buffer, and has the broker's CONNECT timeout for its TLS handshake and CONNECT together.
/// Only then does it get MQTTnet's channel adapter, wrapped by <paramref name="wrap"/> like every other transport's.
/// </summary>
internal sealed class TcpListeners(
    PendingConnects pending, TimeSpan connectTimeout, Func<IMqttChannelAdapter, IMqttChannelAdapter> wrap,
    Action<EndPoint?, string> onRefused, Action<Exception> onError)
    : IMqttServerAdapter
{
    private readonly List<Socket> _listeners = [];
    private CancellationTokenSource? _stopping;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _stopping = new CancellationTokenSource();
        try
        {
            if (options.DefaultEndpointOptions.IsEnabled)
            {
                Listen(options.DefaultEndpointOptions, null, options, logger);
            }

            if (options.TlsEndpointOptions is { IsEnabled: true } tls)
            {
                if (tls.CertificateProvider?.GetCertificate() is not { HasPrivateKey: true })
                {
                    throw new InvalidOperationException("The TLS endpoint needs a server certificate with its private key.");
                }

                Listen(tls, tls, options, logger);
            }
        }
        catch
        {
            Close();
            throw;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public void Dispose() => Close();

    private void Close()
    {
        _stopping?.Cancel();
        foreach (var listener in _listeners) listener.Dispose();
        _listeners.Clear();
    }

    private void Listen(MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls, MqttServerOptions options, IMqttNetLogger logger)
    {
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address }.Where(a => !a.Equals(IPAddress.None)))
        {
            var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            _listeners.Add(listener);
            if (endpoint.ReuseAddress) listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.NoDelay = endpoint.NoDelay;
            listener.LingerState = endpoint.LingerState;
            if (endpoint.KeepAlive is { } keepAlive) listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, keepAlive);
            if (endpoint.TcpKeepAliveTime is { } time) listener.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, time);
            if (endpoint.TcpKeepAliveInterval is { } interval) listener.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, interval);
            if (endpoint.TcpKeepAliveRetryCount is { } count) listener.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, count);
            listener.Bind(new IPEndPoint(address, endpoint.Port));
            endpoint.Port = ((IPEndPoint)listener.LocalEndPoint!).Port; // as MQTTnet does: port 0 becomes the one the system chose
            listener.Listen(endpoint.ConnectionBacklog);
            _ = AcceptAsync(listener, endpoint, tls, options, logger, _stopping!.Token);
        }
    }

    private async Task AcceptAsync(Socket listener, MqttServerTcpEndpointBaseOptions endpoint, MqttServerTlsTcpEndpointOptions? tls,
        MqttServerOptions options, IMqttNetLogger logger, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // a client that left while queued
            }
            catch (SocketException e)
            {
                // Out of descriptors, say: the connection waiting in the backlog is not lost, so try again shortly.
                onError(e);
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                continue;
            }

            PendingConnects.Lease? lease = null;
            try
            {
                lease = pending.TryEnter(client.RemoteEndPoint, out var refusal);
                if (lease is null)
                {
                    onRefused(client.RemoteEndPoint, refusal!);
                    client.LingerState = new LingerOption(true, 0); // a reset: no TIME_WAIT kept for a refused flood
                    client.Dispose();
                    continue;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                lease?.Dispose();
                client.Dispose(); // reset by the peer before we looked at it
                continue;
            }

            // Off the accept loop: a TLS handshake or a CONNECT already buffered would otherwise run here, holding up accepts.
            _ = Task.Run(() => ServeAsync(client, lease, endpoint, tls, options, logger), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, PendingConnects.Lease lease, MqttServerTcpEndpointBaseOptions endpoint,
        MqttServerTlsTcpEndpointOptions? tls, MqttServerOptions options, IMqttNetLogger logger)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping!.Token); // a stopping broker closes them at once
        deadline.CancelAfter(connectTimeout);
        Stream? stream = null;
        try
        {
            client.NoDelay = endpoint.NoDelay;
            await client.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, deadline.Token); // waits for data, holds no buffer
            var remote = client.RemoteEndPoint;
            var local = client.LocalEndPoint;
            stream = new NetworkStream(client, ownsSocket: true);
            X509Certificate2? certificate = null;
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.RemoteCertificateValidationCallback);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls.CertificateProvider.GetCertificate(),
                    ClientCertificateRequired = tls.ClientCertificateRequired,
                    EnabledSslProtocols = tls.SslProtocol,
                    CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                    CipherSuitesPolicy = tls.CipherSuitesPolicy,
                }, deadline.Token);
                certificate = ssl.RemoteCertificate switch
                {
                    X509Certificate2 full => full,
                    { } other => X509CertificateLoader.LoadCertificate(other.Export(X509ContentType.Cert)),
                    null => null,
                };
            }

            if (ClientHandler is not { } handler)
            {
                return;
            }

            var channel = new MqttTcpChannel(stream, local, remote, certificate);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = endpoint.AllowPacketFragmentation };
            await handler(new AwaitingConnect(wrap(adapter), lease, deadline));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // Timed out, reset or refused by TLS before MQTT began: nothing to tell anyone.
        }
        catch (Exception e)
        {
            onError(e);
        }
        finally
        {
            lease.Dispose();
            deadline.Dispose();
            if (stream is not null) await stream.DisposeAsync();
            else client.Dispose();
        }
    }
}
