using System.Diagnostics.CodeAnalysis;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>One side of a comparison: the active version (none before the first publish), the draft, or a version by number.</summary>
public readonly record struct WorkflowSide(WorkflowSideKind Kind, int Version = 0)
{
    public static readonly WorkflowSide Active = new(WorkflowSideKind.Active);
    public static readonly WorkflowSide Draft = new(WorkflowSideKind.Draft);

    public static WorkflowSide Of(int version) => new(WorkflowSideKind.Version, version);

    /// <summary>Reads <c>active</c>, <c>draft</c>, or a version number (<c>3</c> or <c>v3</c>); case-insensitive.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out WorkflowSide side)
    {
        text = text?.Trim();
        side = default;
        if (string.IsNullOrEmpty(text)) return false;
        if (text.Equals("active", StringComparison.OrdinalIgnoreCase)) side = Active;
        else if (text.Equals("draft", StringComparison.OrdinalIgnoreCase)) side = Draft;
        else if (int.TryParse(text.StartsWith('v') || text.StartsWith('V') ? text[1..] : text, System.Globalization.NumberStyles.None, null, out var v) && v > 0) side = Of(v);
        else return false;
        return true;
    }
}

public enum WorkflowSideKind
{
    Active,
    Draft,
    Version,
}

/// <summary>
/// What was compared, as the designer labels it (<c>v3 (active)</c>, <c>draft (revision 7)</c>, <c>nothing published</c>):
/// <paramref name="Version"/> for a published version, <paramref name="Revision"/> for the draft.
/// </summary>
public sealed record ComparedDefinition(string Label, int? Version, int? Revision);

/// <summary>The changes from one definition of a workflow to another.</summary>
public sealed record WorkflowComparison(ComparedDefinition From, ComparedDefinition To, WorkflowDiff Changes);

/// <summary>A comparison, or not found: the workflow (<see cref="Error"/> null) or a version of it (<see cref="Error"/> says which).</summary>
public sealed record ComparisonResult(ChangeOutcome Outcome, WorkflowComparison? Comparison = null, string? Error = null);
