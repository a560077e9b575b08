using System.Text.Json.Nodes;
using IoTRoutes.Core.Storage;
using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Triggers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Core.Jobs.Reports;

/// <summary>
/// Reads the telemetry of devices (a list, an entity and below, a profile; the workflow's part of the tree) over a period
/// into the item: <c>telemetry</c>, one entry per device with each field's count, min, max, mean and last value, and its
/// alerts. A read, not an effect: a dry run reads too. The fields a later node wants are then in the item (a Script, a
/// Filter on <c>telemetry[0]…</c>, a template).
/// </summary>
public sealed class QueryTelemetryAction : WorkflowAction
{
    public override string Type => "QueryTelemetry";

    public override string Category => "Jobs";

    public override string Description => "Reads devices' telemetry over a period into the item (count, min, max, mean, last per field).";

    public override IReadOnlyList<SettingDescriptor> Settings { get; } =
    [
        new("period", SettingKind.Duration, "Period", Help: "The time before the run to read: 1h, 24h, 7d (at most 31 days).") { Default = "24h" },
        new("fields", SettingKind.List, "Fields", Help: "Only these fields; every numeric field when empty (20 at most per device)."),
        .. DeviceFilter.Settings,
    ];

    public override string Summarize(JsonObject settings) =>
        $"last {(Short(settings, "period") is { Length: > 0 } p ? p : "24h")}" + (DeviceFilter.Summarize(settings) is { Count: > 0 } parts ? $" · {string.Join(" · ", parts)}" : "");

    public override NodeRunner? Compile(NodeCompilation node)
    {
        var period = node.Duration("period", required: false, TimeSpan.FromMinutes(1), ReportAction.LongestPeriod) ?? TimeSpan.FromHours(24);
        List<string>? fields = null;
        if (node.Array("fields") is { Count: > 0 } list)
        {
            fields = [];
            foreach (var item in list)
            {
                if (item is JsonValue v && v.TryGetValue<string>(out var text) && text.Trim().Length > 0) fields.Add(text.Trim());
                else node.Problem("fields", "A list of field names is expected.");
            }
        }

        var devices = DeviceFilter.Read(node);
        var contexts = node.Services.GetService<IDbContextFactory<AppDbContext>>();
        return node.Problems.Count > 0 ? null : new Runner(period, fields, devices, contexts);
    }

    private sealed class Runner(TimeSpan period, List<string>? fields, DeviceFilter devices, IDbContextFactory<AppDbContext>? contexts) : NodeRunner
    {
        public override async ValueTask<NodeResult> RunAsync(WorkflowItem input, NodeCall call)
        {
            if (contexts is null) return NodeResult.Fail("QueryTelemetry has no database here.");
            var to = call.Run.Clock.GetUtcNow();
            await using var db = await contexts.CreateDbContextAsync(call.Run.Cancellation);
            var matching = await JobDevices.MatchingAsync(db, call.Run.WorkflowId, devices, TelemetryReport.MaxDevices, call.Run.Cancellation);
            if (matching is null) return NodeResult.Fail("The workflow no longer exists.");
            var ids = matching.ConvertAll(d => d.Id);
            var report = await TelemetryReport.BuildAsync(db, "", ids, fields, to - period, to, to, call.Run.Cancellation);
            var telemetry = new JsonArray();
            foreach (var device in report.Devices)
            {
                var summary = new JsonObject();
                foreach (var field in device.Fields)
                {
                    var last = device.Series.First(s => s.Name == field.Name).Points[^1];
                    summary[field.Name] = new JsonObject
                    {
                        ["count"] = field.Count, ["min"] = field.Min, ["max"] = field.Max, ["mean"] = Math.Round(field.Mean, 6), ["last"] = last.Value,
                        ["lastAt"] = last.At.ToString("O"), ["unit"] = field.Unit,
                    };
                }

                telemetry.Add(new JsonObject
                {
                    ["deviceId"] = device.Id.ToString("D"), ["device"] = device.Name, ["entity"] = device.EntityName, ["alerts"] = device.Alerts, ["fields"] = summary,
                });
            }

            var output = input.CopyFields();
            output["telemetry"] = telemetry;
            return NodeResult.Out(input.WithFields(output));
        }
    }
}
