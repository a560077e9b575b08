using System.Text.Json.Nodes;
using Blazor.Diagrams.Core.Models;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Model;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using MudBlazor;

namespace IoTRoutes.Web.Components.Pages.Workflows.Designer;

/// <summary>The keyboard, the clipboard, selection and find.</summary>
public sealed partial class WorkflowDesigner
{
    private async Task CopyAsync()
    {
        var selected = _diagram.GetSelectedModels().ToList();
        var nodes = selected.OfType<WorkflowNodeModel>().Select(n => n.Id).ToList();
        var notes = selected.OfType<NoteModel>().Select(n => n.Id).ToList();
        if (nodes.Count + notes.Count == 0) return;
        Copied.Fragment = Clipboard.Copy(_graph, [.. nodes, .. notes]);
        // Also on the system clipboard, for another tab or a text file; the browser may refuse (not focused, not allowed).
        if (_keys is not null) await _keys.InvokeVoidAsync("writeClipboard", Copied.Fragment);
        Snackbar.Add($"{Counted(nodes.Count, notes.Count)} copied.", Severity.Info);
    }

    /// <summary>The toolbar's Paste: reads the system clipboard (the browser may ask), else this tab's copy.</summary>
    private async Task PasteAsync() => await PasteTextAsync(_keys is null ? null : await _keys.InvokeAsync<string?>("readClipboard"));

    /// <summary>Ctrl+V on the canvas: the text of the browser's own paste event (no permission asked), sent by designer.js.</summary>
    [JSInvokable]
    public Task OnPasteTextAsync(string? text) => InvokeAsync(() => CanEdit ? PasteTextAsync(text) : Task.CompletedTask);

    private async Task PasteTextAsync(string? text)
    {
        var fragment = text is not null && text.Contains(WorkflowClipboard.Format, StringComparison.Ordinal) ? text : Copied.Fragment;
        if (fragment is null)
        {
            Snackbar.Add("Nothing to paste: copy nodes first (Ctrl+C).", Severity.Info);
            return;
        }

        var paste = Clipboard.Paste(_graph, fragment, 40, 40);
        if (paste.Definition is null)
        {
            Snackbar.Add(string.Join(" ", paste.Errors), Severity.Warning);
            return;
        }

        await EditAsync(paste.Definition, $"paste {Counted(paste.NodeIds.Count, paste.NoteIds.Count)}");
        List<string> pasted = [.. paste.NodeIds, .. paste.NoteIds];
        Select(pasted);
        Copied.Fragment = Clipboard.Copy(paste.Definition, pasted); // a second paste lands beside this one
    }

    private static string Counted(int nodes, int notes) => (nodes, notes) switch
    {
        (_, 0) => nodes == 1 ? "1 node" : $"{nodes} nodes",
        (0, _) => notes == 1 ? "1 note" : $"{notes} notes",
        _ => $"{Counted(nodes, 0)} and {Counted(0, notes)}",
    };

    private void Select(IReadOnlyCollection<string> ids)
    {
        _diagram.UnselectAll();
        foreach (var node in _diagram.Nodes.Where(n => ids.Contains(n.Id))) _diagram.SelectModel(node, unselectOthers: false);
        StateHasChanged();
    }

    private Task SelectAsync(string? id)
    {
        if (id is null) return Task.CompletedTask;
        Select([id]);
        CenterOn(id);
        return Task.CompletedTask;
    }

    private void CenterOn(string id)
    {
        if (_diagram.Nodes.FirstOrDefault(n => n.Id == id) is not { } node || _diagram.Container is not { } container) return;
        var zoom = _diagram.Zoom;
        _diagram.SetPan(container.Width / 2 - (node.Position.X + NodeLayout.Width / 2) * zoom, container.Height / 2 - (node.Position.Y + NodeLayout.Header) * zoom);
    }

    private Task FindAsync()
    {
        if (string.IsNullOrWhiteSpace(_find)) return Task.CompletedTask;
        var found = _graph.Nodes.FirstOrDefault(n => Matches(n, _find));
        if (found is null) return Task.CompletedTask;
        return SelectAsync(found.Id);
    }

    private static bool Matches(WorkflowNode node, string text) =>
        node.Id.Contains(text, StringComparison.OrdinalIgnoreCase) || node.Type.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (node.Name?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
        || TextsOf(node.Settings).Any(t => t.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>A setting's texts as typed (the JSON text escapes "&gt;", "°", quotes…), with the names of its map entries.</summary>
    private static IEnumerable<string> TextsOf(JsonNode? value) => value switch
    {
        JsonObject map => map.SelectMany(p => TextsOf(p.Value).Prepend(p.Key)),
        JsonArray list => list.SelectMany(TextsOf),
        JsonValue scalar when scalar.TryGetValue<string>(out var text) => [text],
        JsonValue scalar => [scalar.ToJsonString()],
        _ => [],
    };

    private string Label(string id) => _graph.Nodes.FirstOrDefault(n => n.Id == id) is { } node ? node.Name ?? node.Id : id;

    /// <summary>A key pressed on the canvas, sent by designer.js (which keeps the browser's own Ctrl+S, Ctrl+F… from it).</summary>
    [JSInvokable]
    public Task OnKeyAsync(string key, bool ctrl, bool shift) => InvokeAsync(async () =>
    {
        switch (key.ToLowerInvariant())
        {
            case "delete" or "backspace" when CanEdit: await DeleteSelectionAsync(); break;
            case "z" when ctrl && shift: await RedoAsync(); break;
            case "z" when ctrl: await UndoAsync(); break;
            case "y" when ctrl: await RedoAsync(); break;
            case "c" when ctrl: await CopyAsync(); break;
            case "a" when ctrl: Select([.. _graph.Nodes.Select(n => n.Id)]); break;
            case "s" when ctrl: await SaveNowAsync(); break;
            case "f" when ctrl && _findField is not null: await _findField.FocusAsync(); break;
            case "escape": _diagram.UnselectAll(); StateHasChanged(); break;
        }
    });
}
