using System.Text.Json.Nodes;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Media;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Jobs;

/// <summary>
/// Reads a stored file (its id from an expression, <c>fileId</c> by default) with the media interpreters: an image's
/// format, size and brightness, a WAV's levels and loud stretches, any other file's type and size. The item goes on with
/// <c>media</c> (the reading's fields, and <c>rejected</c> with the reason for a corrupt or lying file), or to the error
/// port when there is no such file in the workflow's part of the entity tree. A read: a dry run reads too.
/// </summary>
public sealed class InterpretMediaAction : WorkflowAction
{
    public override string Type => "InterpretMedia";

    public override string Category => "Data";

    public override string Description => "Reads a stored image, WAV or other file into fields (size, brightness, loudness…).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("file", SettingKind.Expression, "File id", Help: "An expression giving the file's id; fileId when empty.") { Default = "fileId" },
        new("loudDbfs", SettingKind.Number, "Loud from (dBFS)", Help: "WAV: the level a loud stretch reaches; the platform's setting (-20) when empty."),
    ];

    public override string Summarize(JsonObject settings) => Short(settings, "file") is { Length: > 0 } file ? $"read {file}" : "read fileId";

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var file = node.Settings["file"] is null ? node.Languages.Expressions.Compile("fileId").Expression : node.Expression("file", required: true);
        var loud = node.Number("loudDbfs", min: -150, max: 0);
        var services = node.Services;
        return node.Problems.Count > 0 || file is null ? null : new Runner(file, loud, services);
    }

    private sealed class Runner(CompiledExpression file, double? loudDbfs, IServiceProvider services) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var value = file.Evaluate(input)?.ToString();
            if (!Guid.TryParse(value, out var fileId)) return NodeResult.Fail($"InterpretMedia needs a file id; {file.Text} gave \"{value}\".");
            var contexts = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
            await using var db = await contexts.CreateDbContextAsync(call.Run.Cancellation);
            var path = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == call.Run.WorkflowId).Select(w => w.Entity!.Path).SingleOrDefaultAsync(call.Run.Cancellation);
            // Only a file of the workflow's part of the tree: a workflow reads no other entity's files.
            var stored = path is null ? null : await db.Set<StoredFile>().IgnoreQueryFilters()
                .Where(f => f.Id == fileId && db.Entities.IgnoreQueryFilters().Any(e => e.Id == f.EntityId && e.Path.StartsWith(path)))
                .Select(f => new { f.EntityId, f.ContentType }).SingleOrDefaultAsync(call.Run.Cancellation);
            if (stored is null) return NodeResult.Fail($"No file {fileId} in this workflow's part of the entity tree.");
            await using var content = await services.GetRequiredService<IFileStore>().OpenReadAsync(stored.EntityId, fileId, call.Run.Cancellation);
            if (content is null) return NodeResult.Fail($"File {fileId} has no content any more.");
            var interpreter = services.GetRequiredService<MediaInterpreter>();
            var limits = loudDbfs is { } loud ? services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MediaLimits>>().Value with { LoudThresholdDbfs = loud } : null;
            var reading = await interpreter.InterpretAsync(content, stored.ContentType, limits, call.Run.Cancellation);
            var media = (JsonObject)reading.Fields.DeepClone();
            media["fileId"] = fileId.ToString("D");
            if (reading.Rejected) media["rejected"] = reading.Reason;
            var fields = input.CopyFields();
            fields["media"] = media;
            return NodeResult.Out(input.WithFields(fields));
        }
    }
}
