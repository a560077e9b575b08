using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// A problem about one setting, or about one entry of it: a FieldMap's key (<c>set.tempF</c> → Key <c>tempF</c>), a
/// list's row and member (<c>cases[1].condition</c> → Row 1, Member <c>condition</c>).
/// </summary>
public sealed record SettingProblem(string Message, string? Key = null, int? Row = null, string? Member = null)
{
    /// <summary>Whether the problem is about the setting as a whole rather than one of its entries.</summary>
    public bool Whole => Key is null && Row is null;

    /// <summary>The problem as the setting <paramref name="setting"/> sees it; null when it is about another setting.</summary>
    public static SettingProblem? Of(WorkflowProblem problem, string setting)
    {
        if (problem.Setting is not { } place || !place.StartsWith(setting, StringComparison.Ordinal)) return null;
        var rest = place[setting.Length..];
        if (rest.Length == 0) return new(problem.Message);
        if (rest[0] == '.') return new(problem.Message, Key: rest[1..]);
        var close = rest.IndexOf(']');
        if (rest[0] != '[' || close < 0 || !int.TryParse(rest[1..close], out var row)) return null;
        var member = rest[(close + 1)..].TrimStart('.');
        return new(problem.Message, Row: row, Member: member.Length > 0 ? member : null);
    }
}
