namespace IoTRoutes.Core.Communicators;

public enum CommunicatorKind
{
    Http,
    Smtp,
    Ftp,
    Sftp,
    MqttBridge,
}

/// <summary>
/// A secured connection to an outside system (an HTTP API, a mail server, an FTP or SFTP server, another MQTT broker),
/// owned by an entity, used by workflows and notification rules. <see cref="Settings"/> holds what may be shown; the
/// passwords, tokens and keys are only in <see cref="ProtectedSecrets"/>, encrypted with ASP.NET Core Data Protection.
/// </summary>
public sealed class Communicator
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid EntityId { get; set; }
    public Entities.Entity? Entity { get; set; }
    public CommunicatorKind Kind { get; set; }

    /// <summary>Off: workflows and rules cannot use it, and a bridge does not connect.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The kind's settings as JSON, without any secret.</summary>
    public string Settings { get; set; } = "{}";

    /// <summary>The secrets (a JSON object of name to value), protected; null when there are none.</summary>
    public string? ProtectedSecrets { get; set; }

    /// <summary>Which secrets are set (comma-separated names), so pages can say "set" without decrypting anything.</summary>
    public string SecretNames { get; set; } = "";

    /// <summary>Grows with every change: clients built from the old settings (HTTP pipelines, bridge connections) are replaced.</summary>
    public int Revision { get; set; } = 1;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public bool? LastSucceeded { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }
}
