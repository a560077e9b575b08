using System.Text.Json.Nodes;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>
/// A telemetry summary per device over a period (min, max, mean, count per field; alerts), as CSV and PDF with a chart,
/// saved to the workflow's entity's files. The devices are those of the workflow's part of the entity tree that the
/// settings name (devices, an entity and below, a profile; all of them when none). The item goes on with <c>report</c>:
/// the files made and the counts. A dry run makes nothing.
/// </summary>
public sealed class ReportAction : WorkflowAction
{
    public static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(31);

    public override string Type => "Report";

    public override string Category => "Jobs";

    public override string Description => "Makes a telemetry report (CSV and PDF with a chart) of devices over a period, saved to Files.";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("title", SettingKind.Template, "Title", Help: "A Liquid template, e.g. Weekly report {{ site }}; \"Telemetry report\" when empty."),
        new("period", SettingKind.Duration, "Period", Help: "The time before the run that the report covers: 24h, 7d (at most 31 days).") { Default = "24h" },
        new("fields", SettingKind.List, "Fields", Help: "Only these fields; every numeric field when empty (20 at most per device)."),
        new("formats", SettingKind.List, "Formats", Help: "Csv, Pdf; both when empty."),
        .. DeviceFilter.Settings,
    ];

    public override string Summarize(JsonObject settings) =>
        $"{(Short(settings, "period") is { Length: > 0 } p ? p : "24h")} report" + (DeviceFilter.Summarize(settings) is { Count: > 0 } parts ? $" · {string.Join(" · ", parts)}" : "");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var title = node.Template("title", required: false);
        var period = node.Duration("period", required: false, TimeSpan.FromMinutes(1), LongestPeriod) ?? TimeSpan.FromHours(24);
        var fields = Texts(node, "fields");
        var formats = Texts(node, "formats")?.Select(f => f.ToLowerInvariant()).ToHashSet() ?? ["csv", "pdf"];
        if (formats.Except(["csv", "pdf"]).FirstOrDefault() is { } unknown) node.Problem("formats", $"{unknown} is not a format: Csv or Pdf.");
        var devices = DeviceFilter.Read(node);
        return node.Problems.Count > 0 ? null : new Runner(title, period, fields, formats.Contains("csv"), formats.Contains("pdf"), devices);
    }

    private static List<string>? Texts(NodeCompilation node, string setting)
    {
        if (node.Array(setting) is not { Count: > 0 } list) return null;
        var texts = new List<string>();
        foreach (var item in list)
        {
            if (item is JsonValue v && v.TryGetValue<string>(out var text) && text.Trim().Length > 0) texts.Add(text.Trim());
            else node.Problem(setting, "A list of texts is expected.");
        }

        return texts;
    }

    private sealed class Runner(CompiledTemplate? title, TimeSpan period, List<string>? fields, bool csv, bool pdf, DeviceFilter devices) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            var to = call.Run.Clock.GetUtcNow();
            var effect = new ReportEffect(call.Run.WorkflowId, title?.Render(input) is { Length: > 0 } t ? t : "Telemetry report", to - period, to, fields,
                csv, pdf, devices, call.Run.EffectKey(call.NodeId));
            var made = await call.Run.Effects.PerformAsync(effect, call.NodeId, call.Run.Cancellation);
            if (made is JsonObject { } result && result["error"] is JsonValue error) return NodeResult.Fail(error.GetValue<string>());
            var fieldsOut = input.CopyFields();
            fieldsOut["report"] = made ?? new JsonObject { ["dryRun"] = true };
            return NodeResult.Out(input.WithFields(fieldsOut));
        }
    }
}

/// <summary>Makes the report and saves its files; answers <c>{files, devices, from, to}</c>, or <c>{error}</c>.</summary>
internal sealed class ReportEffect(
    Guid workflowId, string title, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? fields, bool csv, bool pdf, DeviceFilter devices, string? key)
    : IWorkflowEffect
{
    public string Kind => "Report";

    public string Summary => $"make the report \"{title}\" ({(csv && pdf ? "CSV and PDF" : csv ? "CSV" : "PDF")})";

    public JsonObject Describe() => new()
    {
        ["title"] = title, ["from"] = from.ToString("O"), ["to"] = to.ToString("O"), ["csv"] = csv, ["pdf"] = pdf,
    };

    public async ValueTask<JsonNode?> ExecuteAsync(IServiceProvider services, CancellationToken ct)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var clock = services.GetRequiredService<TimeProvider>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var workflow = await db.Workflows.IgnoreQueryFilters().Where(w => w.Id == workflowId).Select(w => new { w.Name, w.EntityId }).SingleOrDefaultAsync(ct);
        if (workflow is null || await JobDevices.MatchingAsync(db, workflowId, devices, TelemetryReport.MaxDevices, ct) is not { } matching)
        {
            return new JsonObject { ["error"] = "The workflow no longer exists." };
        }

        var ids = matching.ConvertAll(d => d.Id);
        var report = await TelemetryReport.BuildAsync(db, title, ids, fields, from, to, clock.GetUtcNow(), ct);

        var saver = services.GetRequiredService<FileSaver>();
        var made = new JsonArray();
        var stamp = to.UtcDateTime.ToString("yyyy-MM-dd HHmm", System.Globalization.CultureInfo.InvariantCulture);
        if (csv && await SaveAsync(saver, workflow.EntityId, workflow.Name, $"{title} {stamp}.csv", "text/csv", ReportCsv.Write(report), "csv", ct) is { } saved) made.Add(saved);
        if (pdf)
        {
            var (bytes, problem) = ReportPdf.Write(report);
            if (bytes is null) return new JsonObject { ["error"] = problem };
            if (await SaveAsync(saver, workflow.EntityId, workflow.Name, $"{title} {stamp}.pdf", "application/pdf", bytes, "pdf", ct) is { } file) made.Add(file);
        }

        return new JsonObject
        {
            ["files"] = made, ["devices"] = report.Devices.Count, ["from"] = from.ToString("O"), ["to"] = to.ToString("O"),
        };
    }

    private async Task<JsonObject?> SaveAsync(FileSaver saver, Guid entityId, string workflowName, string name, string type, byte[] bytes, string suffix, CancellationToken ct)
    {
        using var content = new MemoryStream(bytes);
        var result = await saver.SaveAsync(new NewFile(entityId, name, FileKind.Report, $"Workflow {workflowName}", type, EffectKey: key is null ? null : $"{key}/{suffix}"), content, ct);
        if (result.File is not { } file) throw new InvalidOperationException($"The report's {suffix.ToUpperInvariant()} was not saved: {result.Problem ?? result.Error?.ToString()}");
        return new JsonObject { ["id"] = file.Id.ToString("D"), ["name"] = file.Name, ["contentType"] = file.ContentType, ["size"] = file.Size };
    }
}
