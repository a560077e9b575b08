using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Pipeline;

namespace IoTRoutes.Tests.Core.Messaging;

/// <summary>The intake's committed messages kept in memory for the workflow runner: it answers only for ranges it holds whole.</summary>
public sealed class CommittedMessagesTests
{
    private readonly MessageIdGenerator _ids = new();

    [Fact]
    public void Switched_off_it_answers_nothing_and_keeps_nothing()
    {
        var committed = new CommittedMessages();
        committed.Add(Message());

        Assert.False(committed.TryRead(Guid.Empty, Guid.AllBitsSet, 10, out _));
    }

    [Fact]
    public void It_answers_in_id_order_within_the_range_even_for_commits_out_of_order_and_not_below_its_floor()
    {
        var committed = new CommittedMessages();
        var floor = _ids.Next(DateTimeOffset.UtcNow);
        committed.SwitchOn(() => floor);
        var (a, b, c) = (Message(), Message(), Message());
        committed.Add(c);
        committed.Add(a);
        committed.Add(b);

        Assert.True(committed.TryRead(floor, Guid.AllBitsSet, 10, out var all));
        Assert.Equal([a.Id, b.Id, c.Id], all.Select(m => m.Id));
        Assert.True(committed.TryRead(a.Id, c.Id, 10, out var between));
        Assert.Equal([b.Id], between.Select(m => m.Id));
        Assert.True(committed.TryRead(floor, Guid.AllBitsSet, 2, out var two));
        Assert.Equal(2, two.Count);
        Assert.False(committed.TryRead(Guid.Empty, Guid.AllBitsSet, 10, out _)); // below the floor: the database's
    }

    [Fact]
    public void Forgetting_what_readers_passed_raises_the_floor_so_an_older_range_goes_to_the_database()
    {
        var committed = new CommittedMessages();
        var floor = _ids.Next(DateTimeOffset.UtcNow);
        committed.SwitchOn(() => floor);
        var (a, b) = (Message(), Message());
        committed.Add(a);
        committed.Add(b);

        committed.Forget(a.Id);

        Assert.False(committed.TryRead(floor, Guid.AllBitsSet, 10, out _));
        Assert.True(committed.TryRead(a.Id, Guid.AllBitsSet, 10, out var rest));
        Assert.Equal([b.Id], rest.Select(m => m.Id));
    }

    [Fact]
    public void Past_its_capacity_it_drops_the_oldest_and_answers_only_above_them()
    {
        var committed = new CommittedMessages();
        var floor = _ids.Next(DateTimeOffset.UtcNow);
        committed.SwitchOn(() => floor);
        var first = Message();
        committed.Add(first);
        for (var i = 0; i < CommittedMessages.Capacity; i++) committed.Add(Message());

        Assert.False(committed.TryRead(floor, Guid.AllBitsSet, 10, out _));
        Assert.True(committed.TryRead(first.Id, Guid.AllBitsSet, 10, out var kept));
        Assert.Equal(10, kept.Count);
    }

    [Fact]
    public async Task Switched_on_while_an_older_message_is_on_its_way_it_leaves_a_newer_one_committed_just_before_to_the_database()
    {
        var intake = new MessageIntake(Microsoft.Extensions.Options.Options.Create(new IntakeOptions()));
        var older = intake.NewId(DateTimeOffset.UtcNow); // handed out, not yet committed: the committed watermark stays below it
        var newer = new Message { Id = intake.NewId(DateTimeOffset.UtcNow), Topic = "t", DeviceId = Guid.NewGuid() };
        _ = await intake.SubmitAsync(newer, default);
        Assert.True(intake.Reader.TryRead(out var pending));
        intake.Stored(pending); // committed while nobody kept committed messages

        var floor = Guid.Empty;
        intake.Committed.SwitchOn(() => floor = intake.NewIdAboveAll(DateTimeOffset.UtcNow)); // as the workflow runner switches it on

        // A reader already at the older id (a workflow published meanwhile starts there) finds the newer one in the database.
        Assert.False(intake.Committed.TryRead(older, Guid.AllBitsSet, 10, out _));
        var later = new Message { Id = intake.NewId(DateTimeOffset.UtcNow), Topic = "t", DeviceId = Guid.NewGuid() };
        _ = await intake.SubmitAsync(later, default);
        Assert.True(intake.Reader.TryRead(out pending));
        intake.Stored(pending); // committed after the switch: kept
        Assert.True(intake.Committed.TryRead(floor, Guid.AllBitsSet, 10, out var kept));
        Assert.Equal([later.Id], kept.Select(m => m.Id));
    }

    private Message Message() => new() { Id = _ids.Next(DateTimeOffset.UtcNow), Topic = "t", DeviceId = Guid.NewGuid() };
}
