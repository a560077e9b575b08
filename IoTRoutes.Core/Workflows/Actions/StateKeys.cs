using System.Security.Cryptography;
using System.Text;

namespace IoTRoutes.Core.Workflows.Actions;

/// <summary>
/// The key of a node's state, made of the settings the state depends on: a new version that changes them reads a new key,
/// so it starts afresh rather than from state that meant something else (a threshold's side, another field's statistics).
/// </summary>
internal static class StateKeys
{
    public static string Of(string name, params string?[] settings)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', settings)));
        return $"{name}:{Convert.ToHexStringLower(hash, 0, 8)}";
    }
}
