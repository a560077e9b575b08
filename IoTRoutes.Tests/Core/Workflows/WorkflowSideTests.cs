using IoTRoutes.Core.Workflows.Definitions;

namespace IoTRoutes.Tests.Core.Workflows;

public sealed class WorkflowSideTests
{
    [Theory]
    [InlineData("active", WorkflowSideKind.Active, 0)]
    [InlineData("Draft", WorkflowSideKind.Draft, 0)]
    [InlineData("3", WorkflowSideKind.Version, 3)]
    [InlineData(" v12 ", WorkflowSideKind.Version, 12)]
    [InlineData("V1", WorkflowSideKind.Version, 1)]
    public void A_side_reads_as_active_draft_or_a_version_number(string text, WorkflowSideKind kind, int version)
    {
        Assert.True(WorkflowSide.TryParse(text, out var side));
        Assert.Equal(new WorkflowSide(kind, version), side);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("latest")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData("v")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public void Anything_else_is_not_a_side(string? text) => Assert.False(WorkflowSide.TryParse(text, out _));
}
