using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace IoTRoutes.Core.Communicators.FileTransfer;

/// <summary>Reads the private key of <see cref="FileTransferSecrets"/> (PEM or OpenSSH text, maybe with a passphrase).</summary>
internal static class SftpKeys
{
    /// <exception cref="CommunicatorException">A <see cref="ConnectionFailure.Credentials"/> failure when the key cannot be read.</exception>
    public static PrivateKeyFile Read(FileTransferSecrets secrets)
    {
        try
        {
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(secrets.PrivateKey!.Trim() + "\n"));
            return string.IsNullOrEmpty(secrets.PrivateKeyPassphrase) ? new PrivateKeyFile(text) : new PrivateKeyFile(text, secrets.PrivateKeyPassphrase);
        }
        catch (SshPassPhraseNullOrEmptyException e)
        {
            throw new CommunicatorException(ConnectionFailure.Credentials, "The private key is encrypted: its passphrase is required.", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The library's message may quote the key's text: ours never does.
            throw new CommunicatorException(ConnectionFailure.Credentials, "The private key could not be read: it is not a PEM or OpenSSH private key, or its passphrase is wrong.", e);
        }
    }

    /// <summary>Why the secrets' private key cannot be used, or null when it can.</summary>
    public static string? Problem(FileTransferSecrets secrets)
    {
        try
        {
            Read(secrets).Dispose();
            return null;
        }
        catch (CommunicatorException e)
        {
            return e.Message;
        }
    }
}
