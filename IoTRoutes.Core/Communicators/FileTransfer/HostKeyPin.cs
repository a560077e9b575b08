using Renci.SshNet.Common;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>
/// Checks an SSH server's host key against the settings' pinned fingerprint (any key when none is pinned) and
/// remembers the key it saw, so that a test can offer it for pinning and a refusal can name it.
/// </summary>
internal sealed class HostKeyPin(string? pinned)
{
    private readonly string? _pinned = string.IsNullOrWhiteSpace(pinned) ? null : Normalize(pinned);

    /// <summary>The server's key as "SHA256:..." (what <c>ssh-keygen -lf</c> prints), once seen.</summary>
    public string? Seen { get; private set; }

    /// <summary>Whether the server showed a key other than the pinned one.</summary>
    public bool Refused { get; private set; }

    public string? Pinned => _pinned;

    public void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
    {
        Seen = $"SHA256:{e.FingerPrintSHA256}";
        e.CanTrust = _pinned is null || string.Equals(Seen, _pinned, StringComparison.Ordinal);
        Refused = !e.CanTrust;
    }

    /// <summary>"SHA256:" and 43 unpadded base64 characters (32 bytes), or null when <paramref name="fingerprint"/> is not that.</summary>
    public static string? Normalize(string fingerprint)
    {
        var value = fingerprint.Trim();
        if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..];
        }

        value = value.TrimEnd('=');
        var padded = value + new string('=', (4 - (value.Length % 4)) % 4);
        var bytes = new byte[48];
        return Convert.TryFromBase64String(padded, bytes, out var length) && length == 32 ? $"SHA256:{value}" : null;
    }
}
