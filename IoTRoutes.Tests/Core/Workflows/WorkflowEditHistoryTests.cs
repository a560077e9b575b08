using IoTRoutes.Core.Workflows.Model;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>The designer's undo and redo: steps, descriptions, coalescing, the cap, the redo branch.</summary>
public sealed class WorkflowEditHistoryTests
{
    private readonly FakeTimeProvider _clock = new();

    // Definitions as the canvas would record them; the history only compares and returns them.
    private static string At(double x) => $$"""{"nodes":[{"id":"in","type":"OnMessage","settings":{},"x":{{x}},"y":0}],"links":[]}""";

    private WorkflowEditHistory New(int capacity = WorkflowEditHistory.DefaultCapacity) => new(At(0), _clock, capacity);

    [Fact]
    public void A_new_history_shows_its_start_and_has_nothing_to_undo_or_redo()
    {
        var history = New();

        Assert.Equal(At(0), history.Current);
        Assert.False(history.CanUndo);
        Assert.False(history.CanRedo);
        Assert.Null(history.UndoDescription);
        Assert.Null(history.RedoDescription);
        Assert.Null(history.Undo());
        Assert.Null(history.Redo());
        Assert.False(history.HasUnsavedChanges);
    }

    [Fact]
    public void Undo_and_redo_walk_the_recorded_states_and_say_which_change_they_take_back_or_make_again()
    {
        var history = New();
        history.Record(At(10), "move Filter");
        history.Record(At(20), "add Log");

        Assert.Equal("Undo: add Log", history.UndoDescription);
        Assert.Equal(At(10), history.Undo());
        Assert.Equal("Undo: move Filter", history.UndoDescription);
        Assert.Equal("Redo: add Log", history.RedoDescription);
        Assert.Equal(At(0), history.Undo());
        Assert.False(history.CanUndo);
        Assert.Null(history.Undo());
        Assert.Equal("Redo: move Filter", history.RedoDescription);
        Assert.Equal(At(10), history.Redo());
        Assert.Equal(At(20), history.Redo());
        Assert.False(history.CanRedo);
        Assert.Null(history.Redo());
        Assert.Equal(At(20), history.Current);
    }

    [Fact]
    public void Recording_after_an_undo_drops_what_could_be_redone()
    {
        var history = New();
        history.Record(At(10), "move Filter");
        history.Record(At(20), "move Filter again");
        history.Undo();

        history.Record(At(30), "add Log");

        Assert.False(history.CanRedo);
        Assert.Equal(At(10), history.Undo());
        Assert.Equal(At(0), history.Undo());
        Assert.Equal(At(10), history.Redo());
        Assert.Equal(At(30), history.Redo());
    }

    [Fact]
    public void Recording_the_state_already_shown_is_no_step_and_keeps_the_redo_branch()
    {
        var history = New();
        history.Record(At(10), "move Filter");
        history.Undo();

        Assert.False(history.Record(At(0), "select Filter"));

        Assert.True(history.CanRedo);
        Assert.False(history.CanUndo);
    }

    [Fact]
    public void Records_with_the_same_key_each_within_a_second_of_the_last_are_one_step_described_by_the_last()
    {
        var history = New();
        history.Record(At(5), "add Filter");

        history.Record(At(10), "move Filter", "move:filter");
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        history.Record(At(20), "move Filter", "move:filter");
        _clock.Advance(TimeSpan.FromMilliseconds(600)); // 1.2 s after the first, 0.6 s after the last: still the same drag
        history.Record(At(30), "move Filter to (30, 0)", "move:filter");

        Assert.Equal("Undo: move Filter to (30, 0)", history.UndoDescription);
        Assert.Equal(At(5), history.Undo());
        Assert.Equal("Undo: add Filter", history.UndoDescription);
    }

    [Fact]
    public void A_pause_longer_than_a_second_another_key_no_key_or_an_undo_in_between_start_a_new_step()
    {
        var history = New();
        history.Record(At(1), "move Filter", "move:filter");
        _clock.Advance(TimeSpan.FromMilliseconds(1001));
        history.Record(At(2), "move Filter", "move:filter");
        history.Record(At(3), "move Log", "move:log");
        history.Record(At(4), "rename Log");
        history.Record(At(5), "rename Log");
        history.Record(At(6), "move Log", "move:log");
        history.Undo();
        history.Record(At(7), "move Log", "move:log");

        Assert.Equal([At(5), At(4), At(3), At(2), At(1), At(0)], UndoAll(history));
    }

    [Fact]
    public void A_drag_back_to_where_it_started_leaves_no_step()
    {
        var history = New();
        history.Record(At(5), "add Filter");
        history.Record(At(10), "move Filter", "move:filter");
        history.Record(At(5), "move Filter", "move:filter");

        Assert.Equal("Undo: add Filter", history.UndoDescription);
        Assert.Equal(At(5), history.Current);
    }

    [Fact]
    public void Beyond_the_cap_the_oldest_steps_are_dropped()
    {
        var history = New(capacity: 3);
        for (var x = 1; x <= 5; x++) history.Record(At(x), $"step {x}");

        Assert.Equal([At(4), At(3), At(2)], UndoAll(history));
        Assert.False(history.CanUndo);
        Assert.Equal("Redo: step 3", history.RedoDescription);
    }

    [Fact]
    public void The_default_cap_is_200_steps()
    {
        var history = New();
        for (var x = 1; x <= 250; x++) history.Record(At(x), $"step {x}");

        var undone = UndoAll(history);

        Assert.Equal(200, undone.Count);
        Assert.Equal(At(50), undone[^1]);
    }

    [Fact]
    public void Unsaved_changes_compare_the_shown_state_with_the_one_marked_saved()
    {
        var history = New();
        history.Record(At(10), "move Filter");
        Assert.True(history.HasUnsavedChanges);

        history.MarkSaved();
        Assert.False(history.HasUnsavedChanges);
        history.Undo();
        Assert.True(history.HasUnsavedChanges);
        history.Redo();
        Assert.False(history.HasUnsavedChanges);
    }

    [Fact]
    public void Reset_starts_again_from_a_loaded_draft_with_nothing_to_undo()
    {
        var history = New();
        history.Record(At(10), "move Filter");

        history.Reset(At(99));

        Assert.Equal(At(99), history.Current);
        Assert.False(history.CanUndo);
        Assert.False(history.CanRedo);
        Assert.False(history.HasUnsavedChanges);
    }

    [Fact]
    public void A_graph_is_recorded_as_its_json_so_changing_the_graph_afterwards_does_not_change_the_history()
    {
        var graph = WorkflowGraph.Parse(At(0));
        var history = new WorkflowEditHistory(graph, _clock);
        var changed = WorkflowGraph.Parse(At(10));
        history.Record(changed, "move Filter");

        changed.Nodes[0].Settings["exchangeType"] = "Telemetry";

        Assert.Equal(WorkflowGraph.Parse(At(10)).ToJson(), history.Current);
        Assert.Equal(graph.ToJson(), history.Undo());
    }

    private static List<string> UndoAll(WorkflowEditHistory history)
    {
        var states = new List<string>();
        while (history.Undo() is { } state) states.Add(state);
        return states;
    }
}
