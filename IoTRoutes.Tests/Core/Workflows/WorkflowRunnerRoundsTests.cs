using IoTRoutes.Core.Workflows.Runner;

namespace IoTRoutes.Tests.Core.Workflows;

/// <summary>How long the runner waits between rounds: soon when little came, a quarter second apart when busy, at once on a backlog.</summary>
public sealed class WorkflowRunnerRoundsTests
{
    [Theory]
    [InlineData(0, 5, 200)]      // nothing waiting: a pause
    [InlineData(1, 5, 50)]       // a few events: gather a little more
    [InlineData(499, 5, 50)]
    [InlineData(500, 30, 220)]   // busy: the next round starts 250 ms after this one started
    [InlineData(6_000, 240, 10)]
    [InlineData(6_000, 400, 0)]  // a round that took longer: the next at once
    [InlineData(WorkflowRunner.BatchSize, 30, 0)] // a full batch: more is waiting
    public void The_next_round_comes_after(int read, int tookMs, int waitMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(waitMs), WorkflowRunner.NextRoundIn(read, TimeSpan.FromMilliseconds(tookMs)));
    }
}
