using System.Globalization;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Workflows.Engine;
using Microsoft.AspNetCore.Components;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>
/// The editor of one setting: it shows <see cref="Value"/> (the setting's JSON, or its default when the node does not set
/// it) and sends the new JSON through <see cref="ValueChanged"/> (null removes the setting). It re-reads
/// <see cref="Value"/> only when it differs from what it sent last, so unfinished rows and what is being typed survive the
/// round trip through the canvas, while an undo there shows at once.
/// </summary>
public abstract class SettingEditorBase : ComponentBase
{
    private JsonNode? _read;
    private bool _hasRead;

    [Parameter, EditorRequired] public SettingDescriptor Setting { get; set; } = null!;

    /// <summary>The setting's JSON as the node has it; null when the node does not set it.</summary>
    [Parameter] public JsonNode? Value { get; set; }

    [Parameter] public EventCallback<JsonNode?> ValueChanged { get; set; }

    /// <summary>A published version is being viewed: nothing can be changed. False by default.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    /// <summary>What the node's last check and the last validation say about this setting.</summary>
    [Parameter] public IReadOnlyList<SettingProblem> Problems { get; set; } = [];

    /// <summary>Field names the item is known to have, for the hints of expressions; none by default.</summary>
    [Parameter] public IReadOnlyList<string> FieldNames { get; set; } = [];

    /// <summary>The value shown: the node's, else the setting's default (not written until edited).</summary>
    protected JsonNode? Shown => Value ?? Setting.Default;

    protected string RequiredMessage => $"{Setting.Label} is required.";

    /// <summary>The messages about the setting as a whole; "Required." is left out, as every editor says it itself.</summary>
    protected IEnumerable<string> WholeMessages => Problems.Where(p => p.Whole && p.Message != "Required.").Select(p => p.Message);

    protected override void OnParametersSet()
    {
        if (_hasRead && JsonNode.DeepEquals(Value, _read)) return;
        _hasRead = true;
        _read = Value?.DeepClone();
        Read(Shown);
    }

    /// <summary>Fills the editor from the setting's JSON (or its default; null when it has neither).</summary>
    protected abstract void Read(JsonNode? value);

    /// <summary>Sends the setting's new JSON (nothing when it is what the node has); null removes it from the node.</summary>
    protected Task WriteAsync(JsonNode? value)
    {
        if (JsonNode.DeepEquals(value, _read)) return Task.CompletedTask;
        _read = value?.DeepClone();
        return ValueChanged.InvokeAsync(value);
    }

    /// <summary>A setting's text as typed: texts as they are, numbers (a duration in seconds) as they read.</summary>
    protected static string TextOf(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonValue v when v.TryGetValue<double>(out var number) => number.ToString(CultureInfo.InvariantCulture),
        _ => value.ToJsonString(),
    };
}
