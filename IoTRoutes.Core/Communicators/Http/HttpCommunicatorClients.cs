using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IoTRoutes.Core.Communicators.Http;

/// <summary>
/// One <see cref="HttpCommunicatorClient"/> per communicator, kept while its settings and secrets stay the same (a
/// fingerprint of both, so the caller need not version them): its connections, OAuth2 token and circuit breaker
/// outlive a call. A change replaces it; the old one is disposed when its last call ends.
/// </summary>
public sealed class HttpCommunicatorClients(HttpResilienceOptions options, TimeProvider clock) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Entry> _entries = [];

    /// <summary>The clock of OAuth2 token lifetimes (tests move it; retries and the circuit use the real one).</summary>
    internal TimeProvider? TokenClock { get; init; }

    /// <summary>The communicator's client for these settings, held until the lease is disposed.</summary>
    internal Lease Rent(Guid communicatorId, HttpSettings settings, HttpSecrets secrets)
    {
        var fingerprint = Fingerprint(settings, secrets);
        lock (_gate)
        {
            if (!_entries.TryGetValue(communicatorId, out var entry) || entry.Fingerprint != fingerprint)
            {
                entry?.Retire();
                entry = new Entry(fingerprint, new HttpCommunicatorClient(settings, secrets, options, clock, TokenClock ?? clock));
                _entries[communicatorId] = entry;
            }

            entry.Acquire();
            return new Lease(entry);
        }
    }

    /// <summary>A client used once (a connection test of unsaved settings), disposed with the lease.</summary>
    internal Lease RentOnce(HttpSettings settings, HttpSecrets secrets)
    {
        var entry = new Entry("", new HttpCommunicatorClient(settings, secrets, options, clock, TokenClock ?? clock));
        entry.Acquire();
        entry.Retire();
        return new Lease(entry);
    }

    /// <summary>The communicator was deleted: its client goes once its calls have ended.</summary>
    public void Forget(Guid communicatorId)
    {
        lock (_gate)
        {
            if (_entries.Remove(communicatorId, out var entry)) entry.Retire();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values) entry.Retire();
            _entries.Clear();
        }
    }

    private static string Fingerprint(HttpSettings settings, HttpSecrets secrets)
    {
        var text = JsonSerializer.Serialize(settings) + "\n" + JsonSerializer.Serialize(secrets);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    internal sealed class Entry(string fingerprint, HttpCommunicatorClient client)
    {
        private int _users;
        private bool _retired;
        private int _disposed;

        public string Fingerprint { get; } = fingerprint;

        public HttpCommunicatorClient Client { get; } = client;

        public void Acquire() => Interlocked.Increment(ref _users);

        public void Release()
        {
            if (Interlocked.Decrement(ref _users) == 0 && Volatile.Read(ref _retired)) DisposeOnce();
        }

        public void Retire()
        {
            Volatile.Write(ref _retired, true);
            if (Volatile.Read(ref _users) == 0) DisposeOnce();
        }

        // Release and Retire may both see the last user gone.
        private void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Client.Dispose();
        }
    }

    internal readonly struct Lease(Entry entry) : IDisposable
    {
        public HttpCommunicatorClient Client => entry.Client;

        public void Dispose() => entry.Release();
    }
}
