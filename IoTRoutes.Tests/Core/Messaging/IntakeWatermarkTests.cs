using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Tests.Core.Messaging;

/// <summary>The committed watermark: below it every message is in the store, whatever order the commits came in.</summary>
public sealed class IntakeWatermarkTests
{
    // The real time: ids are in order when made at or after the last one (the generator is shared by every test).
    private static DateTimeOffset Now => DateTimeOffset.UtcNow;
    private readonly MessageIntake _intake = new(Options.Create(new IntakeOptions { QueueCapacity = 100 }));

    [Fact]
    public async Task The_watermark_stays_at_the_oldest_message_not_committed_even_when_a_newer_one_commits_first()
    {
        var older = Message(_intake.NewId(Now));
        var newer = Message(_intake.NewId(Now));
        await _intake.SubmitAsync(older, default);
        await _intake.SubmitAsync(newer, default);
        var pending = await Drain(2);

        _intake.Stored(pending.Single(p => p.Message == newer));
        var whileOlderWaits = _intake.Watermark(Now);
        _intake.Stored(pending.Single(p => p.Message == older));
        var afterBoth = _intake.Watermark(Now);

        Assert.Equal(older.Id, whileOlderWaits);
        Assert.True(afterBoth.CompareTo(newer.Id) > 0);
        Assert.True(_intake.NewId(Now).CompareTo(afterBoth) > 0);
    }

    [Fact]
    public async Task An_id_handed_out_holds_the_watermark_until_its_message_is_submitted_and_stored_or_released_unsubmitted()
    {
        var handedOut = _intake.NewId(Now);
        var submittedId = _intake.NewId(Now);
        await _intake.SubmitAsync(Message(submittedId), default);

        var first = _intake.Watermark(Now);
        _intake.ReleaseUnsubmitted(handedOut);
        _intake.ReleaseUnsubmitted(submittedId); // submitted: its commit releases it, not this
        var second = _intake.Watermark(Now);
        _intake.Failed((await Drain(1)).Single(), new InvalidOperationException("disk full"));
        var third = _intake.Watermark(Now);

        Assert.Equal(handedOut, first);
        Assert.Equal(submittedId, second);
        Assert.True(third.CompareTo(submittedId) > 0);
    }

    private static Message Message(Guid id) => new() { Id = id, DeviceId = Guid.NewGuid(), Topic = "t", ReceivedAt = Now, State = MessageState.Received };

    private async Task<List<PendingMessage>> Drain(int count)
    {
        var pending = new List<PendingMessage>();
        while (pending.Count < count) pending.Add(await _intake.Reader.ReadAsync());
        return pending;
    }
}
