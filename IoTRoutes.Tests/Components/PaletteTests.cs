using Bunit;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Web.Components.Pages.Workflows.Designer;
using Microsoft.Extensions.DependencyInjection;

namespace IoTRoutes.Tests.Components;

/// <summary>The designer's palette over the real action catalog: groups, search, adding by double-click, read only.</summary>
public sealed class PaletteTests : PageTestContext
{
    private readonly List<string> _added = [];
    private readonly List<string> _dragged = [];

    private IReadOnlyCollection<IWorkflowAction> Actions => Services.GetRequiredService<ActionCatalog>().All;

    [Fact]
    public void Actions_are_grouped_triggers_first_then_flow_data_and_the_rest_each_group_by_type()
    {
        var cut = RenderPalette();

        Assert.Equal(["Triggers", "Flow", "Data", "Analysis", "Alerts", "Devices"], Groups(cut).Take(6));
        Assert.Equal(Actions.Select(a => a.Category).Distinct().Count(), Groups(cut).Count);
        Assert.Equal(Actions.Count, Items(cut).Count);
        Assert.Equal("Notes", cut.FindAll(".wf-palette-group")[^1].TextContent);
        Assert.Equal(Palette.NoteType, cut.FindAll("[data-test=palette-item]")[^1].GetAttribute("data-type"));
        Assert.Equal(["Delay", "Filter", "Join", "Switch"], ItemsOf(cut, "Flow"));
        Assert.Equal(["Manual", "OnAlert", "OnDeviceConnected", "OnDeviceDisconnected", "OnMessage", "Schedule"], ItemsOf(cut, "Triggers"));
        // Each item tells what it does on hover.
        Assert.Equal("Lets through the items for which a condition holds.", Item(cut, "Filter").GetAttribute("title"));
    }

    [Theory]
    [InlineData("switch", new[] { "Switch" })] // by type, whatever the case
    [InlineData("hysteresis", new[] { "Threshold" })] // by description only
    [InlineData("ALERT", new[] { "OnAlert", "ClearAlert", "RaiseAlert" })]
    public void Search_keeps_the_actions_whose_type_or_description_holds_the_text(string text, string[] expected)
    {
        var cut = RenderPalette();

        cut.Find("input[data-test=palette-search]").Input(text);

        cut.WaitForAssertion(() => Assert.Equal(expected, Items(cut)));
    }

    [Fact]
    public void Search_hides_the_groups_left_empty_and_clearing_it_shows_everything_again()
    {
        var cut = RenderPalette();

        cut.Find("input[data-test=palette-search]").Input("hysteresis");
        cut.WaitForAssertion(() => Assert.Equal(["Analysis"], Groups(cut)));

        cut.Find("input[data-test=palette-search]").Input("");
        cut.WaitForAssertion(() => Assert.Equal(Actions.Count, Items(cut).Count));
    }

    [Fact]
    public void A_double_click_adds_the_action_and_a_drag_says_which_one_is_dragged()
    {
        var cut = RenderPalette();

        Item(cut, "Filter").DoubleClick();
        Item(cut, "RaiseAlert").DragStart();

        Assert.Equal(["Filter"], _added);
        Assert.Equal(["RaiseAlert"], _dragged);
        Assert.Equal("true", Item(cut, "Filter").GetAttribute("draggable"));
        Assert.DoesNotContain("disabled", Item(cut, "Filter").ClassList);
    }

    [Fact]
    public void A_disabled_palette_shows_the_actions_but_neither_adds_nor_drags_them()
    {
        var cut = RenderPalette(disabled: true);

        Item(cut, "Filter").DoubleClick();
        Item(cut, "RaiseAlert").DragStart();

        Assert.Equal(Actions.Count, Items(cut).Count);
        Assert.Empty(_added);
        Assert.Empty(_dragged);
        Assert.All(cut.FindAll("[data-test=palette-item]"), item =>
        {
            Assert.Contains("disabled", item.ClassList);
            Assert.Equal("false", item.GetAttribute("draggable"));
        });
    }

    private IRenderedComponent<Palette> RenderPalette(bool disabled = false) => Render<Palette>(p => p
        .Add(x => x.Actions, Actions).Add(x => x.Disabled, disabled)
        .Add(x => x.OnAdd, type => _added.Add(type)).Add(x => x.OnDragStart, type => _dragged.Add(type)));

    // The actions' groups and items; the comment note (not an action) has its own group at the end, checked on its own.
    private static List<string> Groups(IRenderedComponent<Palette> cut) => [.. cut.FindAll(".wf-palette-group").Select(g => g.TextContent).Where(g => g != "Notes")];

    private static List<string> Items(IRenderedComponent<Palette> cut) =>
        [.. cut.FindAll("[data-test=palette-item]").Select(i => i.GetAttribute("data-type")!).Where(t => t != Palette.NoteType)];

    private static AngleSharp.Dom.IElement Item(IRenderedComponent<Palette> cut, string type) => cut.Find($"[data-test=palette-item][data-type={type}]");

    /// <summary>The types listed under group <paramref name="group"/>, in order (items follow their group's header).</summary>
    private static List<string> ItemsOf(IRenderedComponent<Palette> cut, string group)
    {
        var types = new List<string>();
        var inGroup = false;
        foreach (var element in cut.FindAll(".wf-palette-group, [data-test=palette-item]"))
        {
            if (element.ClassList.Contains("wf-palette-group")) inGroup = element.TextContent == group;
            else if (inGroup) types.Add(element.GetAttribute("data-type")!);
        }

        return types;
    }
}
