using System.Text.Json.Nodes;
using IoTRoutes.Core.Communicators.FileTransfer;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;

namespace IoTRoutes.Core.Communicators.Actions;

/// <summary>What an upload sends: the files a Report node made, one stored file, or a CSV made from the item.</summary>
public enum UploadSource
{
    Report,
    File,
    Csv,
}

/// <summary>
/// Puts files on an FTP, FTPS or SFTP server through a file transfer communicator: the files of the item's <c>report</c>
/// (a Report node before it), a stored file by id (a device's media, <c>{{ fileId }}</c>), or a CSV made from a list in
/// the item (QueryTelemetry's <c>telemetry</c>: one row per entry, nested fields as dotted columns). A file is written
/// under a temporary name and renamed when whole, and replaces one of the same name, so a repeated run after a crash
/// leaves the same files. The item goes on with <c>uploaded</c> (name and size of each); a dry run sends nothing.
/// </summary>
public sealed class UploadFileAction : WorkflowAction
{
    public override string Type => "UploadFile";

    public override string Category => "Integration";

    public override string Description => "Uploads a report, a stored file or a CSV of the item to an FTP or SFTP server.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        CommunicatorEffects.Setting(SettingReference.FileCommunicator, "FTP / SFTP communicator"),
        new("source", SettingKind.Choice, "What to upload",
            Help: "Report: the files a Report node before this one made. File: one stored file by id. Csv: a list in the item as CSV.")
        {
            Choices = Enum.GetNames<UploadSource>(), Default = nameof(UploadSource.Report),
        },
        new("fileId", SettingKind.Template, "File id", Help: "Source File: the stored file's id, e.g. {{ fileId }} for a device's media."),
        new("rows", SettingKind.Text, "Rows field",
            Help: "Source Csv: the item's field holding a list of objects, e.g. telemetry from QueryTelemetry; the item itself is one row when empty."),
        new("name", SettingKind.Template, "Remote file name",
            Help: "File and Csv: the name on the server, e.g. readings-{{ \"now\" | date: \"%Y%m%d\" }}.csv; the file's own name when empty. Report files keep their names."),
    ];

    public override string Summarize(JsonObject settings) => (Short(settings, "source") is { Length: > 0 } s ? s : "Report").ToLowerInvariant() switch
    {
        "file" => $"upload file {Short(settings, "name")}".TrimEnd(),
        "csv" => $"upload CSV of {(Short(settings, "rows") is { Length: > 0 } rows ? rows : "the item")}",
        _ => "upload the report",
    };

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var id = CommunicatorEffects.Id(node);
        var source = node.Choice<UploadSource>("source") ?? UploadSource.Report;
        var fileId = node.Template("fileId", required: source == UploadSource.File);
        var rows = node.Text("rows")?.Trim();
        var name = node.Template("name", required: false);
        return node.Problems.Count > 0 ? null : new Runner(id!.Value, source, fileId, rows is { Length: > 0 } ? rows : null, name);
    }

    private sealed class Runner(Guid communicator, UploadSource source, CompiledTemplate? fileId, string? rows, CompiledTemplate? name) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var (uploads, problem) = Uploads(input, call);
            if (problem is not null) return NodeResult.Fail(problem);
            var effect = new UploadFileEffect(communicator, call.Run.WorkflowId, uploads!);
            var done = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (done?[CommunicatorEffects.ErrorMember] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fields = input.CopyFields();
            fields["uploaded"] = done?["uploaded"]?.DeepClone() ?? new JsonArray([.. uploads!.Select(u => (JsonNode)new JsonObject { ["name"] = u.RemoteName, ["dryRun"] = true })]);
            return NodeResult.Out(input.WithFields(fields));
        }

        private (IReadOnlyList<PlannedUpload>? Uploads, string? Problem) Uploads(WorkflowItem input, NodeCall call)
        {
            var named = name?.Render(input).Trim() is { Length: > 0 } n ? n : null;
            switch (source)
            {
                case UploadSource.File:
                    var text = fileId!.Render(input).Trim();
                    if (!Guid.TryParse(text, out var id)) return (null, $"The file id \"{Clip(text)}\" is not a file id.");
                    return Checked([new PlannedUpload(named, id, null)]);
                case UploadSource.Csv:
                    var (csv, csvProblem) = ItemCsv.Write(input.FieldsAsJson(), rows);
                    if (csvProblem is not null) return (null, csvProblem);
                    return Checked([new PlannedUpload(named ?? $"export-{call.Run.Clock.GetUtcNow():yyyyMMdd-HHmmss}.csv", null, csv)]);
                default:
                    if (input.FieldsAsJson()["report"]?["files"] is not JsonArray { Count: > 0 } files)
                        return (null, "There is no report in the item: put a Report node before this one, or upload a File or a Csv.");
                    var planned = new List<PlannedUpload>();
                    foreach (var file in files)
                    {
                        if (file?["id"]?.GetValue<string>() is not { } fileText || !Guid.TryParse(fileText, out var reportFile))
                            return (null, "The item's report lists a file without an id.");
                        planned.Add(new PlannedUpload(null, reportFile, null));
                    }

                    return Checked(planned);
            }
        }

        private static (IReadOnlyList<PlannedUpload>?, string?) Checked(List<PlannedUpload> uploads) =>
            uploads.Select(u => u.RemoteName is null ? null : RemoteFileName.Problem(u.RemoteName)).FirstOrDefault(p => p is not null) is { } problem
                ? (null, problem)
                : (uploads, null);

        private static string Clip(string text) => text.Length > 60 ? text[..57] + "..." : text;
    }
}
