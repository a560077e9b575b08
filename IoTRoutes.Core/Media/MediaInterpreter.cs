using System.Buffers;
using IoTRoutes.Core.Media.Audio;
using IoTRoutes.Core.Media.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Core.Media;

/// <summary>
/// The one entry point of the media interpreters, for the media intake and the InterpretMedia workflow action alike:
/// detects the type by magic numbers, reads images and WAV audio into fields, and types anything else. A corrupt,
/// lying, oversized or too slow file gives a Rejected reading with a reason; no exception from a decoder escapes.
/// Only the caller's own cancellation throws (<see cref="OperationCanceledException"/>): the file is then left unread.
/// </summary>
public sealed class MediaInterpreter(TimeProvider clock, IOptions<MediaLimits> options, ILogger<MediaInterpreter> logger)
{
    private const int CopyBufferBytes = 81_920;
    private const int HeadBytes = 64; // enough for every signature MediaSniffer knows

    /// <summary>The configured limits (<c>IoTRoutes:Media</c>), used when a call passes none.</summary>
    public MediaLimits DefaultLimits => options.Value;

    /// <param name="content">The whole file.</param>
    /// <param name="declaredType">The content type the sender claimed, if any: only checked, never trusted.</param>
    /// <param name="limits">Overrides <see cref="DefaultLimits"/>; must have no <see cref="MediaLimits.Problems"/>.</param>
    public MediaReading Interpret(
        ReadOnlySpan<byte> content, string? declaredType = null, MediaLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits = Checked(limits);
        var type = MediaSniffer.Detect(content);
        if (content.IsEmpty) return MediaReading.Reject(type, 0, "The file is empty.");
        if (content.Length > limits.MaxBytes) return TooLarge(type, content.Length, limits);
        if (DeclaredTypes.Contradiction(declaredType, type) is { } lie) return MediaReading.Reject(type, content.Length, lie);

        var deadline = new MediaDeadline(clock, limits.Timeout, cancellationToken);
        MediaReading reading;
        try
        {
            deadline.Check();
            reading = type.Kind switch
            {
                MediaKind.Image => ImageInterpreter.Interpret(content, type, limits, deadline),
                MediaKind.Audio => WavInterpreter.Interpret(content, type, limits, deadline),
                _ => MediaReading.Read(type, content.Length, MediaReading.BasicFields(type, content.Length)),
            };
        }
        catch (MediaTimeoutException)
        {
            reading = MediaReading.Reject(type, content.Length,
                $"Reading the {type.Format.ToUpperInvariant()} file took longer than the limit of {limits.Timeout.TotalSeconds:0.###} s.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            MediaLog.DecoderFailed(logger, type.ContentType, content.Length, ex);
            reading = MediaReading.Reject(type, content.Length,
                $"The {type.Format.ToUpperInvariant()} file could not be read: its decoder failed ({ex.GetType().Name}).");
        }
        return DeclaredTypes.Note(reading, declaredType);
    }

    /// <summary>
    /// Reads the stream to its end, keeping at most <see cref="MediaLimits.MaxBytes"/> (a longer file is Rejected with its
    /// size: a seekable stream's length is taken as it is, an unseekable one is read through to count it), then interprets
    /// it as <see cref="Interpret"/> does.
    /// </summary>
    public async Task<MediaReading> InterpretAsync(
        Stream content, string? declaredType = null, MediaLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits = Checked(limits);
        var known = content.CanSeek ? Math.Max(0, content.Length - content.Position) : (long?)null;
        if (known > limits.MaxBytes)
        {
            var head = new byte[Math.Min(HeadBytes, known.Value)];
            await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
            return TooLarge(MediaSniffer.Detect(head), known.Value, limits);
        }
        using var kept = new MemoryStream((int)(known ?? 0));
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        long total = 0;
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), cancellationToken)) > 0)
            {
                var keep = (int)Math.Clamp(limits.MaxBytes - total, 0, read);
                kept.Write(buffer, 0, keep);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var bytes = kept.GetBuffer().AsSpan(0, (int)kept.Length);
        return total > limits.MaxBytes
            ? TooLarge(MediaSniffer.Detect(bytes), total, limits)
            : Interpret(bytes, declaredType, limits, cancellationToken);
    }

    private MediaLimits Checked(MediaLimits? limits)
    {
        limits ??= options.Value;
        var problems = limits.Problems();
        return problems.Count == 0 ? limits : throw new ArgumentException(string.Join(" ", problems), nameof(limits));
    }

    private static MediaReading TooLarge(MediaType type, long size, MediaLimits limits) =>
        MediaReading.Reject(type, size, $"The file has {size:N0} bytes, more than the limit of {limits.MaxBytes:N0} bytes.");
}

internal static partial class MediaLog
{
    [LoggerMessage(5101, LogLevel.Warning, "A {ContentType} file of {SizeBytes} bytes made its decoder fail; it is Rejected")]
    public static partial void DecoderFailed(ILogger logger, string contentType, long sizeBytes, Exception exception);
}
