using System.Text;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Entities;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Messaging.Rejections;
using IoTRoutes.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTRoutes.Tests.Core.Messaging.Rejections;

/// <summary>The rejected messages query and reprocessing by filter, on a real SQLite file (devices without a profile: the JSON check decides).</summary>
public sealed class RejectedMessagesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private readonly MessageIdGenerator _ids = new();
    private SqliteContexts _db = null!;

    public async Task InitializeAsync() => _db = await SqliteContexts.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Pages_follow_the_cursor_newest_first_without_gaps_or_repeats()
    {
        var device = await AddDeviceAsync("Pager");
        var stored = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            stored.Add(await StoreAsync(device, $"bad {i}", MessageState.Rejected, $"Malformed JSON {i}"));
        }

        await StoreAsync(device, """{"ok":1}""", MessageState.Processed);

        var seen = new List<Guid>();
        Guid? cursor = null;
        do
        {
            var page = await Service().ListAsync(new RejectedMessageQuery(new RejectedMessageFilter(), cursor, Limit: 3), default);
            Assert.InRange(page.Items.Count, 1, 3);
            seen.AddRange(page.Items.Select(m => m.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(stored), seen);
    }

    [Fact]
    public async Task Filters_narrow_by_device_format_reason_in_any_case_and_time()
    {
        var a = await AddDeviceAsync("Alpha");
        var b = await AddDeviceAsync("Beta");
        var format = Guid.NewGuid();
        var early = await StoreAsync(a, "x", MessageState.Rejected, "Malformed JSON: bad token");
        var fromFormat = await StoreAsync(a, "y", MessageState.Rejected, "Climate v1: payload too short", format);
        var ofB = await StoreAsync(b, "z", MessageState.Rejected, "No format of profile P matches");
        var boundary = _clock.GetUtcNow();

        Assert.Equal([fromFormat, early], await IdsAsync(new RejectedMessageFilter(DeviceId: a.Id)));
        Assert.Equal([fromFormat], await IdsAsync(new RejectedMessageFilter(FormatId: format)));
        Assert.Equal([fromFormat], await IdsAsync(new RejectedMessageFilter(Reason: "TOO short")));
        Assert.Equal([ofB], await IdsAsync(new RejectedMessageFilter(From: boundary)));
        Assert.Equal([early], await IdsAsync(new RejectedMessageFilter(To: boundary.AddSeconds(-2))));
        Assert.Empty(await IdsAsync(new RejectedMessageFilter(DeviceId: b.Id, Reason: "json")));
    }

    [Fact]
    public async Task The_summary_counts_reasons_and_lists_formats_and_devices_without_their_own_filter()
    {
        var a = await AddDeviceAsync("Alpha");
        var b = await AddDeviceAsync("Beta");
        var format = Guid.NewGuid();
        for (var i = 0; i < 3; i++) await StoreAsync(a, "x", MessageState.Rejected, "Malformed JSON");
        await StoreAsync(b, "y", MessageState.Rejected, "Too short", format);
        await StoreAsync(b, """{"fine":true}""", MessageState.Processed);

        var all = await Service().SummarizeAsync(new RejectedMessageFilter(), default);
        var ofB = await Service().SummarizeAsync(new RejectedMessageFilter(DeviceId: b.Id), default);

        Assert.Equal(4, all.Total);
        Assert.Equal([new ReasonCount("Malformed JSON", 3, "Malformed JSON"), new ReasonCount("Too short", 1, "Too short")], all.Reasons);
        Assert.Equal(1, ofB.Total);
        Assert.Equal(["Alpha", "Beta"], ofB.Devices.Select(d => d.Name)); // the device choice is not narrowed by itself
        Assert.Equal([(format, 1L)], ofB.Formats.Select(f => (f.FormatId, f.Count)));
        Assert.Equal("(deleted format)", ofB.Formats[0].Name);
    }

    [Fact]
    public async Task Another_entitys_rejected_messages_are_neither_listed_counted_nor_reprocessed()
    {
        var scope = await AddEntityAsync("Branch");
        var mine = await AddDeviceAsync("Mine", scope.EntityId);
        var theirs = await AddDeviceAsync("Theirs");
        await StoreAsync(mine, "bad", MessageState.Rejected, "Malformed JSON");
        await StoreAsync(theirs, """{"fixed":true}""", MessageState.Rejected, "Malformed JSON");

        var page = await Service(scope).ListAsync(new RejectedMessageQuery(new RejectedMessageFilter()), default);
        var summary = await Service(scope).SummarizeAsync(new RejectedMessageFilter(DeviceId: theirs.Id), default);
        var (result, _) = await Reprocessing(scope).ReprocessAsync(new ReprocessRequest(DeviceId: theirs.Id), default);

        Assert.Equal(["Mine"], page.Items.Select(m => m.DeviceName));
        Assert.Equal(0, summary.Total);
        Assert.Equal(0, result!.Reprocessed);
        Assert.Equal([MessageState.Rejected], await StatesAsync(theirs));
    }

    [Fact]
    public async Task A_bounded_request_says_how_many_remain_and_the_next_one_goes_on_after_it()
    {
        var device = await AddDeviceAsync("Backlog");
        var stillBad = new List<Guid>();
        for (var i = 0; i < 3; i++) stillBad.Add(await StoreAsync(device, "still bad", MessageState.Rejected, "Malformed JSON"));
        for (var i = 0; i < 2; i++) await StoreAsync(device, """{"now":"fine"}""", MessageState.Rejected, "Malformed JSON");
        var progress = new List<ReprocessProgress>();

        var (first, _) = await Reprocessing().ReprocessAsync(ReprocessRequest.Matching(new RejectedMessageFilter(Reason: "json")) with { Limit = 3 },
            new SynchronousProgress(progress), default);
        var (second, _) = await Reprocessing().ReprocessAsync(
            ReprocessRequest.Matching(new RejectedMessageFilter(Reason: "json"), after: first!.ContinueAfter) with { Limit = 3 }, default);

        Assert.Equal(new ReprocessResult(3, 0, 3, Remaining: 2, ContinueAfter: stillBad[^1]), first); // oldest first
        Assert.Equal(new ReprocessResult(2, 2, 0), second);
        Assert.Equal(new ReprocessProgress(3, 3, 0, 3), progress.Last());
        Assert.Equal(5, (await StatesAsync(device)).Count); // updated in place
    }

    [Fact]
    public async Task Reasons_that_differ_only_in_numbers_or_a_quoted_piece_of_payload_are_one_cause()
    {
        var device = await AddDeviceAsync("Chatty");
        await StoreAsync(device, "{a", MessageState.Rejected, "Malformed JSON: end of data. LineNumber: 0 | BytePositionInLine: 11.");
        await StoreAsync(device, "{a", MessageState.Rejected, "Malformed JSON: end of data. LineNumber: 0 | BytePositionInLine: 11.");
        await StoreAsync(device, "{ab", MessageState.Rejected, "Malformed JSON: end of data. LineNumber: 0 | BytePositionInLine: 13.");
        await StoreAsync(device, "x=1", MessageState.Rejected, "Malformed JSON: 'x=1' is an invalid JSON literal.");
        await StoreAsync(device, "y=2", MessageState.Rejected, "Malformed JSON: 'y=2' is an invalid JSON literal.");
        await StoreAsync(device, "F8", MessageState.Rejected, "Climate v2: \"battery\" (u16) needs bytes 3 to 4, the payload has 3.");

        var summary = await Service().SummarizeAsync(new RejectedMessageFilter(), default);

        Assert.Equal(
            [
                new ReasonCount("Malformed JSON: end of data. LineNumber: 0 | BytePositionInLine: 11.", 3, "Malformed JSON: end of data. LineNumber:"),
                new ReasonCount("Malformed JSON: 'x=1' is an invalid JSON literal.", 2, "is an invalid JSON literal."),
                new ReasonCount("Climate v2: \"battery\" (u16) needs bytes 3 to 4, the payload has 3.", 1, "Climate v2: \"battery\" (u16) needs bytes"),
            ],
            summary.Reasons);
    }

    [Theory]
    [InlineData("{}", "messageIds")]
    [InlineData("""{"deviceId":"00000000-0000-0000-0000-000000000001","limit":0}""", "limit")]
    [InlineData("""{"reason":"x","from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}""", "from")]
    public async Task A_request_without_ids_or_filter_or_with_a_bad_bound_is_refused(string json, string field)
    {
        var request = System.Text.Json.JsonSerializer.Deserialize<ReprocessRequest>(json, System.Text.Json.JsonSerializerOptions.Web)!;

        var (result, errors) = await Reprocessing().ReprocessAsync(request, default);

        Assert.Null(result);
        Assert.Contains(field, errors!.Keys);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0x74, 0x22, 0x3A, 0x31, 0x7D }, "{\"t\":1}", PayloadPreviewKind.Text)]
    [InlineData(new byte[] { 0xF8, 0x30, 0x00 }, "F8 30 00", PayloadPreviewKind.Hex)]
    [InlineData(new byte[] { 0x61, 0x01, 0x62 }, "61 01 62", PayloadPreviewKind.Hex)]
    [InlineData(new byte[] { 0x0A, 0x28, 0x62 }, "0A 28 62", PayloadPreviewKind.Hex)]
    [InlineData(new byte[] { 0x61, 0x0A, 0x62, 0x0A }, "a\nb\n", PayloadPreviewKind.Text)]
    [InlineData(new byte[0], "", PayloadPreviewKind.Empty)]
    public void A_payload_is_previewed_as_text_when_it_is_text_else_as_hex(byte[] payload, string preview, PayloadPreviewKind kind) =>
        Assert.Equal((preview, kind), PayloadPreview.Of(payload, payload.Length));

    [Fact]
    public void A_long_text_preview_ends_with_an_ellipsis_and_never_cuts_a_character()
    {
        var text = new string('a', PayloadPreview.MaxTextBytes - 1) + "é and more";

        var (preview, kind) = PayloadPreview.Of(Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetByteCount(text));

        Assert.Equal((new string('a', PayloadPreview.MaxTextBytes - 1) + "…", PayloadPreviewKind.Text), (preview, kind));
        Assert.Equal(("(300,000 bytes, not kept)", PayloadPreviewKind.NotKept), PayloadPreview.Of([], 300_000));
    }

    private RejectedMessageService Service(EntityScope? scope = null) => new(_db.Scoped(scope));

    private MessageReprocessing Reprocessing(EntityScope? scope = null) =>
        new(_db.Scoped(scope), MessageDecoder.JsonOnly, new IoTRoutes.Core.Messaging.Formats.LatestFieldValues(_db, new MessageFeed(), NullLogger<IoTRoutes.Core.Messaging.Formats.LatestFieldValues>.Instance),
            new MessageFeed(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock), NullLogger<MessageReprocessing>.Instance);

    private async Task<List<Guid>> IdsAsync(RejectedMessageFilter filter) =>
        (await Service().ListAsync(new RejectedMessageQuery(filter), default)).Items.Select(m => m.Id).ToList();

    private async Task<List<MessageState>> StatesAsync(Device device)
    {
        await using var db = _db.CreateDbContext();
        return db.Messages.Where(m => m.DeviceId == device.Id).Select(m => m.State).ToList();
    }

    private async Task<EntityScope> AddEntityAsync(string name)
    {
        var created = await new EntityService(_db.Scoped(), _clock, new IoTRoutes.Core.Security.Audit.AuditTrail(_db, _clock)).CreateAsync(new CreateEntityRequest(name, EntityType.Organisation), default);
        await using var db = _db.CreateDbContext();
        return new EntityScope(created.Id!.Value, db.Entities.Single(e => e.Id == created.Id).Path);
    }

    private async Task<Device> AddDeviceAsync(string name, Guid? entityId = null)
    {
        var device = new Device
        {
            Id = Guid.CreateVersion7(), Name = name, Key = $"k{Guid.NewGuid():N}", SecretHash = "", EntityId = entityId ?? RootEntity.Id, CreatedAt = _clock.GetUtcNow(),
        };
        await using var db = _db.CreateDbContext();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
        return device;
    }

    /// <summary>Stores a message one second after the previous one, with the id the pipeline gives it.</summary>
    private async Task<Guid> StoreAsync(Device device, string payload, MessageState state, string? reason = null, Guid? formatId = null)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var at = _clock.GetUtcNow();
        var message = new Message
        {
            Id = _ids.Next(at), DeviceId = device.Id, Topic = $"devices/{device.Key}/up", Payload = Encoding.UTF8.GetBytes(payload),
            PayloadSize = Encoding.UTF8.GetByteCount(payload), ReceivedAt = at, State = state, RejectionReason = reason, ProcessedAt = at,
            FormatId = formatId, FormatVersion = formatId is null ? null : 1,
        };
        await using var db = _db.CreateDbContext();
        db.Messages.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }

    /// <summary>Records each report at once (<see cref="Progress{T}"/> would post it to the thread pool).</summary>
    private sealed class SynchronousProgress(List<ReprocessProgress> reports) : IProgress<ReprocessProgress>
    {
        public void Report(ReprocessProgress value) => reports.Add(value);
    }
}
