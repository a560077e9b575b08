namespace IoTRoutes.Core.Communicators;

/// <summary>The kinds of communicator the platform knows, by their <see cref="CommunicatorKind"/>.</summary>
public sealed class CommunicatorKinds(IEnumerable<ICommunicatorKind> kinds)
{
    private readonly Dictionary<CommunicatorKind, ICommunicatorKind> _kinds = kinds.ToDictionary(k => k.Kind);

    public IReadOnlyDictionary<CommunicatorKind, ICommunicatorKind> All => _kinds;

    public ICommunicatorKind this[CommunicatorKind kind] =>
        _kinds.TryGetValue(kind, out var found) ? found : throw new CommunicatorException(ConnectionFailure.Other, $"Communicators of kind {kind} are not available.");
}
