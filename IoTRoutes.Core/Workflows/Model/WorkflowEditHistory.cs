namespace IoTRoutes.Core.Workflows.Model;

/// <summary>
/// Undo and redo for the designer, by snapshots: each step is the whole definition after a change, as
/// <see cref="WorkflowGraph.ToJson"/> writes it. A string rather than the graph because it is truly immutable (a graph's
/// settings are <c>JsonObject</c>s the canvas could change after recording) and compares cheaply (ordinal: length, then
/// a vectorised memory compare), which is what "nothing changed" and <see cref="HasUnsavedChanges"/> ask; it is also
/// exactly what the draft stores. Memory is the steps kept times the size of a definition, hence the cap.
/// </summary>
/// <remarks>
/// Records with the same non-null coalesce key, each within <see cref="CoalesceWindow"/> of the previous one and with no
/// undo or redo between them, make one step (dragging a node, typing in a setting). Not thread-safe: one per designer
/// (a Blazor circuit runs one event at a time).
/// </remarks>
public sealed class WorkflowEditHistory
{
    public const int DefaultCapacity = 200;

    public static readonly TimeSpan CoalesceWindow = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _clock;
    private readonly int _capacity;

    // _states[0] is the oldest state kept; _states[i] (i > 0) is the state after step i, described by its Description.
    private readonly List<State> _states = [];
    private int _at;
    private long? _coalesceSince;
    private string? _saved;

    public WorkflowEditHistory(string initial, TimeProvider clock, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        (_clock, _capacity) = (clock, capacity);
        Reset(initial);
    }

    public WorkflowEditHistory(WorkflowGraph initial, TimeProvider clock, int capacity = DefaultCapacity)
        : this(initial.ToJson(), clock, capacity)
    {
    }

    /// <summary>The definition to show.</summary>
    public string Current => _states[_at].Definition;

    public bool CanUndo => _at > 0;

    public bool CanRedo => _at < _states.Count - 1;

    /// <summary>The undo button's text, <c>Undo: move Filter</c>; null when there is nothing to undo.</summary>
    public string? UndoDescription => CanUndo ? $"Undo: {_states[_at].Description}" : null;

    /// <summary>The redo button's text, <c>Redo: move Filter</c>; null when there is nothing to redo.</summary>
    public string? RedoDescription => CanRedo ? $"Redo: {_states[_at + 1].Description}" : null;

    /// <summary>Whether <see cref="Current"/> differs from what <see cref="MarkSaved"/> last marked (the loaded draft at first).</summary>
    public bool HasUnsavedChanges => !string.Equals(Current, _saved, StringComparison.Ordinal);

    /// <summary>
    /// Records <paramref name="definition"/> as the state after a change described by <paramref name="description"/>
    /// (<c>move Filter</c>). Drops what could be redone. False when it equals the current state: nothing is recorded.
    /// </summary>
    public bool Record(string definition, string description, string? coalesceKey = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.Equals(definition, Current, StringComparison.Ordinal)) return false;
        var now = _clock.GetTimestamp();
        if (coalesceKey is not null && _coalesceSince is { } since && _clock.GetElapsedTime(since, now) <= CoalesceWindow
            && _at == _states.Count - 1 && _at > 0 && _states[_at].CoalesceKey == coalesceKey)
        {
            if (string.Equals(definition, _states[_at - 1].Definition, StringComparison.Ordinal))
            {
                // Dragged back to where it started: the step undoes itself.
                _states.RemoveAt(_at--);
                _coalesceSince = null;
                return true;
            }

            _states[_at] = new State(definition, description, coalesceKey);
            _coalesceSince = now;
            return true;
        }

        _states.RemoveRange(_at + 1, _states.Count - _at - 1);
        _states.Add(new State(definition, description, coalesceKey));
        _at++;
        if (_states.Count > _capacity + 1)
        {
            _states.RemoveAt(0);
            _at--;
        }

        _coalesceSince = coalesceKey is null ? null : now;
        return true;
    }

    /// <inheritdoc cref="Record(string, string, string?)"/>
    public bool Record(WorkflowGraph definition, string description, string? coalesceKey = null) =>
        Record(definition.ToJson(), description, coalesceKey);

    /// <summary>Goes one step back; the definition to show, or null when there is nothing to undo.</summary>
    public string? Undo()
    {
        _coalesceSince = null;
        if (!CanUndo) return null;
        _at--;
        return Current;
    }

    /// <summary>Goes one step forward again; the definition to show, or null when there is nothing to redo.</summary>
    public string? Redo()
    {
        _coalesceSince = null;
        if (!CanRedo) return null;
        _at++;
        return Current;
    }

    /// <summary>The draft now stored is <see cref="Current"/> (after a save).</summary>
    public void MarkSaved() => _saved = Current;

    /// <summary>Starts again from <paramref name="definition"/>, as saved, with nothing to undo (after loading the draft again).</summary>
    public void Reset(string definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _states.Clear();
        _states.Add(new State(definition, null, null));
        (_at, _coalesceSince, _saved) = (0, null, definition);
    }

    private sealed record State(string Definition, string? Description, string? CoalesceKey);
}
