using System.Text.Json.Nodes;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Files;
using IoTRoutes.Core.Messaging;
using IoTRoutes.Core.Messaging.Lifecycle;
using IoTRoutes.Core.Messaging.Pipeline;
using IoTRoutes.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace IoTRoutes.Core.Media.Intake;

/// <summary>
/// The Media exchange: a file a device sends (over MQTT on <c>devices/&lt;key&gt;/media/&lt;name&gt;</c>, or over HTTPS)
/// is saved in file storage under the device's entity, read by the media interpreters, and recorded as a message whose
/// data is the reading with the file's id. A file storage refuses (a name lying about the content, empty, too large) or
/// the interpreters cannot read (a PNG header on garbage, a truncated WAV, a decompression bomb) makes the message
/// Rejected with the reason; a file that was saved stays saved either way.
/// </summary>
public sealed class MediaArrivals(
    IDbContextFactory<AppDbContext> contexts, FileSaver files, IFileStore store, MediaInterpreter interpreter, MessageIntake intake, TimeProvider clock)
{
    /// <summary>Saves and reads the file, before its message gets an id: the intake's order is not held up by a slow file.</summary>
    /// <param name="name">The media name (the topic's part after <c>media/</c>).</param>
    /// <param name="inMemory">The content's bytes when the caller has them (an MQTT payload): kept in the message if refused.</param>
    public async Task<MediaArrival> PrepareAsync(Guid deviceId, string name, string? declaredType, Stream content, byte[]? inMemory, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var device = await db.Devices.IgnoreQueryFilters().AsNoTracking().Where(d => d.Id == deviceId)
            .Select(d => new { d.EntityId, d.Name }).SingleOrDefaultAsync(ct);
        var counting = new CountingStream(content);
        if (device is null)
        {
            return new MediaArrival(null, null, "The device was deleted while its media arrived.", null, inMemory?.Length ?? 0, inMemory);
        }

        var saved = await files.SaveAsync(new NewFile(device.EntityId, MediaTopics.FileNameOf(name), FileKind.Media, $"device {device.Name}", declaredType, DeviceId: deviceId), counting, ct);
        if (saved.File is not { } file)
        {
            return new MediaArrival(null, null, $"The media file was not stored: {saved.Problem}", saved.Error, inMemory?.Length ?? counting.Count, inMemory);
        }

        MediaReading reading;
        await using (var stored = await store.OpenReadAsync(file.EntityId, file.Id, ct) ?? throw new InvalidOperationException($"File {file.Id} was saved without content."))
        {
            reading = await interpreter.InterpretAsync(stored, file.ContentType, null, ct);
        }

        if (reading.Thumbnail is { } thumbnail)
        {
            await db.Files.IgnoreQueryFilters().Where(f => f.Id == file.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.Thumbnail, thumbnail.Png), ct);
        }

        var data = new JsonObject { ["fileId"] = file.Id.ToString("D"), ["name"] = file.Name };
        foreach (var (key, value) in reading.Fields) data[key] = value?.DeepClone();
        var rejection = reading.Rejected ? $"The media file {file.Name} could not be read: {reading.Reason}" : null;
        return new MediaArrival(file, data.ToJsonString(), rejection, null, file.Size, inMemory);
    }

    /// <summary>Points the saved file at the message it came in, once that message has its id.</summary>
    public async Task LinkAsync(Guid fileId, Guid messageId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Files.IgnoreQueryFilters().Where(f => f.Id == fileId).ExecuteUpdateAsync(s => s.SetProperty(f => f.MessageId, messageId), ct);
    }

    /// <summary>
    /// Media sent over HTTPS by an authenticated device: prepared, stored as its message (durably, before answering) and
    /// decided as the decoder will decide it.
    /// </summary>
    public async Task<MediaReceipt> ReceiveAsync(AuthenticatedDevice device, string name, string? declaredType, Stream content, CancellationToken ct)
    {
        var arrival = await PrepareAsync(device.Id, name, declaredType, content, null, ct);
        var receivedAt = clock.GetUtcNow();
        var id = intake.NewId(receivedAt);
        try
        {
            var message = new Message
            {
                Id = id, DeviceId = device.Id, Topic = MediaTopics.Of(device.Key, name), QualityOfService = 1, ReceivedAt = receivedAt,
                State = MessageState.Received,
            };
            arrival.Into(message);
            var durable = await intake.SubmitAsync(message, ct);
            await durable.WaitAsync(ct);
        }
        finally
        {
            intake.ReleaseUnsubmitted(id);
        }

        if (arrival.File is { } file) await LinkAsync(file.Id, id, CancellationToken.None);
        var fields = arrival.Data is { } data ? JsonNode.Parse(data) as JsonObject : null;
        return new MediaReceipt(id, arrival.File?.Id, arrival.Rejection is null ? nameof(MessageState.Processed) : nameof(MessageState.Rejected),
            arrival.Rejection, arrival.Refusal, fields);
    }

    /// <summary>Counts what file storage read, to say a refused upload's size.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Counted(await inner.ReadAsync(buffer, ct));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            Count += read;
            return read;
        }
    }
}
