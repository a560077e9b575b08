using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Communicators;

/// <summary>A communicator as pages and the API show it: its settings, which secrets are set (never their values), its use.</summary>
public sealed record CommunicatorDto(
    Guid Id,
    string Name,
    CommunicatorKind Kind,
    bool Enabled,
    Guid EntityId,
    string EntityName,
    JsonObject Settings,
    IReadOnlyList<string> SecretsSet,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastUsedAt,
    bool? LastSucceeded,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>
/// A create or update as read from the API's flat body or the page: settings without secrets, and the secrets given
/// (a null value keeps the stored one, an empty text removes it).
/// </summary>
public sealed record CommunicatorRequest(
    string? Name, CommunicatorKind? Kind, Guid? EntityId, bool? Enabled, JsonObject Settings, IReadOnlyDictionary<string, string?> Secrets);
