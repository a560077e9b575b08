using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators;

/// <summary>A communicator ready for use: its settings and its decrypted secrets (never shown, never logged).</summary>
public sealed record CommunicatorConnection(
    Guid Id, int Revision, string Name, CommunicatorKind Kind, JsonObject Settings, IReadOnlyDictionary<string, string> Secrets)
{
    public override string ToString() => $"{Kind} communicator {Name}"; // never the secrets
}

/// <summary>
/// What the platform knows of one kind of communicator: which request fields are secrets, how its settings are checked,
/// and how "Test connection" is done. One class per kind, registered in <c>AddCommunicators</c>.
/// </summary>
public interface ICommunicatorKind
{
    CommunicatorKind Kind { get; }

    /// <summary>The request fields that are secrets, as dotted paths ("password", "authentication.token").</summary>
    IReadOnlyList<string> SecretPaths { get; }

    /// <summary>
    /// The settings as they will be stored (read into the kind's settings and written back: unknown fields dropped,
    /// defaults filled in), or the problems: field (camelCase, dotted) to sentences.
    /// </summary>
    (JsonObject? Settings, IReadOnlyDictionary<string, string[]> Problems) Check(JsonObject settings, IReadOnlyDictionary<string, string> secrets);

    /// <param name="to">For a mail server: where a test mail goes (none: connect and log in only).</param>
    Task<ConnectionTestResult> TestAsync(CommunicatorConnection connection, string? to, CancellationToken ct);
}
