using System.Text.RegularExpressions;

namespace IoTRoutes.Core.Messaging.Rejections;

/// <summary>
/// Reasons that differ only in standalone numbers (positions, sizes, line numbers) or in a single-quoted piece of the
/// payload are one cause: "…BytePositionInLine: 11." and "…: 13." must not split the top reasons. Numbers inside a word
/// (a format's v2, a field's u16, a device key) are kept.
/// </summary>
public static partial class RejectionCauses
{
    [GeneratedRegex(@"'[^']*'|\b\d+\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Variable();

    /// <summary>The reason with its variable parts masked: the key reasons are grouped by.</summary>
    public static string CauseOf(string reason) => Variable().Replace(reason, "\u0000");

    /// <summary>The longest constant part of the reason: typed in the reason filter, it finds the messages of its cause.</summary>
    public static string MatchOf(string reason) =>
        CauseOf(reason).Split('\u0000').Select(part => part.Trim()).MaxBy(part => part.Length) ?? "";
}
