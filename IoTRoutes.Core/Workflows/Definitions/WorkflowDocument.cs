using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Model;

namespace IoTRoutes.Core.Workflows.Definitions;

/// <summary>
/// A workflow as a self-contained file, to move it between installations or keep it in a repository: its draft, name,
/// description and test cases; nothing tied to where it came from (entity, versions, who changed it). Test cases that name
/// a stored message or a device keep those ids, which mean something only where they were made.
/// </summary>
public sealed record WorkflowDocument(
    string Format, int Version, string Name, string? Description, JsonObject Definition, IReadOnlyList<WorkflowTestCase> TestCases, DateTimeOffset ExportedAt)
{
    /// <summary>The value of <see cref="Format"/>.</summary>
    public const string Kind = "iotroutes-workflow";

    /// <summary>The value of <see cref="Version"/> this server writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>How the file of an exported workflow ends: <c>Hot rooms.iotroutes-workflow.json</c>.</summary>
    public const string FileExtension = ".iotroutes-workflow.json";

    /// <summary>
    /// The file name of workflow <paramref name="name"/>'s document: the name with what no common file system takes
    /// (<c>/ \ : * ? " &lt; &gt; |</c>, control characters) replaced by <c>_</c>, then <see cref="FileExtension"/>.
    /// </summary>
    public static string FileNameFor(string name)
    {
        var safe = new string([.. name.Select(c => char.IsControl(c) || "/\\:*?\"<>|".Contains(c) ? '_' : c)]).Trim().Trim('.').Trim();
        return (safe.Length == 0 ? "workflow" : safe) + FileExtension;
    }
}

/// <summary>
/// A workflow made from a <see cref="WorkflowDocument"/>: in <paramref name="EntityId"/> (the caller's by default), named
/// <paramref name="Name"/> when given, otherwise <paramref name="DocumentName"/>, numbered when taken (<c>Hot rooms (2)</c>).
/// <paramref name="DocumentName"/> is the chosen name when there is one (the document's is then not read).
/// </summary>
public sealed record ImportWorkflowRequest(
    Guid? EntityId, string? Name, string DocumentName, string? Description, WorkflowGraph Graph, IReadOnlyList<WorkflowTestCase> TestCases);
