using IoTRoutes.Core.Workflows.Actions;
using IoTRoutes.Core.Workflows.Definitions;
using IoTRoutes.Core.Workflows.Engine;
using IoTRoutes.Core.Workflows.Languages;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>A draft's problems are found once per draft text, and found again when the text changes.</summary>
public sealed class DraftProblemsTests
{
    private const string Broken = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp >"}},{"id":"end","type":"Collect"}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"end"}]}
        """;

    private const string Fixed = """
        {"nodes":[{"id":"in","type":"OnMessage"},{"id":"hot","type":"Filter","settings":{"condition":"temp > 30"}},{"id":"end","type":"Collect"}],
         "links":[{"from":"in","to":"hot"},{"from":"hot","fromPort":"true","to":"end"}]}
        """;

    private readonly DraftProblems _problems = new(new WorkflowCompiler(
        TestActions.Catalog(new(), new FilterAction()), new WorkflowLanguages(new NCalcExpressions(), new LiquidTemplates()), EmptyServices.Instance));

    [Fact]
    public void The_same_draft_gives_the_problems_found_the_first_time()
    {
        var id = Guid.NewGuid();
        var first = _problems.Of(id, Broken);

        var problem = Assert.Single(first);
        Assert.Equal("hot", problem.NodeId);
        Assert.Same(first, _problems.Of(id, new string(Broken.AsSpan()))); // equal text, another string: not compiled again
    }

    [Fact]
    public void A_changed_draft_is_compiled_again()
    {
        var id = Guid.NewGuid();
        Assert.Single(_problems.Of(id, Broken));

        Assert.Empty(_problems.Of(id, Fixed));
        Assert.Single(_problems.Of(id, Broken));
    }

    [Fact]
    public void Each_workflow_keeps_its_own_and_a_forgotten_one_is_compiled_again()
    {
        var (one, other) = (Guid.NewGuid(), Guid.NewGuid());
        var broken = _problems.Of(one, Broken);
        Assert.Empty(_problems.Of(other, Fixed));
        Assert.Same(broken, _problems.Of(one, Broken));

        _problems.Forget(one);

        Assert.NotSame(broken, _problems.Of(one, Broken));
    }
}
