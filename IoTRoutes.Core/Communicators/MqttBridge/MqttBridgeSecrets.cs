using System.Text;

namespace IoTRoutes.Core.Communicators.MqttBridge;

/// <summary>The secret part of a bridge: stored encrypted, never shown, logged or put in a message.</summary>
public sealed record MqttBridgeSecrets
{
    public const int MaxPasswordBytes = 65535;

    public string? Password { get; init; }

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new ProblemList();
        if (Password is { } password && Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            problems.Add("password", $"A password has at most {MaxPasswordBytes} bytes.");
        }

        return problems.ToDictionary();
    }

    // The record's ToString prints this: never the value.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Password = ").Append(string.IsNullOrEmpty(Password) ? "(none)" : "(hidden)");
        return true;
    }
}
