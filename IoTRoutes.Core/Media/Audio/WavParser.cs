using System.Buffers.Binary;
using System.Text;

namespace IoTRoutes.Core.Media.Audio;

/// <summary>
/// Reads a RIFF/WAVE file's chunks: <c>fmt </c> (PCM 8/16/24/32-bit, IEEE float 32-bit, plain or extensible) and
/// <c>data</c>; any other chunk is skipped. A truncated or lying file gives a reason instead of a layout.
/// </summary>
internal static class WavParser
{
    public const int MaxChannels = 64;
    public const int MaxSampleRate = 768_000;

    private const ushort PcmCode = 1;
    private const ushort FloatCode = 3;
    private const ushort ExtensibleCode = 0xFFFE;

    public static bool TryParse(ReadOnlySpan<byte> file, out WavLayout? layout, out string reason)
    {
        layout = null;
        WavFormat? format = null;
        (int Offset, int Length)? data = null;
        var position = 12; // "RIFF", size, "WAVE"
        while (file.Length - position >= 8)
        {
            var id = Encoding.ASCII.GetString(file.Slice(position, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file.Slice(position + 4, 4));
            var body = position + 8;
            var available = file.Length - body;
            if (size > available)
            {
                if (id == "data")
                {
                    reason = $"The WAV file is truncated or its header is wrong: the data chunk declares {size:N0} bytes but only {available:N0} follow.";
                    return false;
                }
                if (format is not null && data is not null) break; // a damaged chunk after the samples loses nothing
                reason = $"The WAV file is damaged: its '{id.TrimEnd()}' chunk declares {size:N0} bytes but only {available:N0} follow.";
                return false;
            }
            var chunk = file.Slice(body, (int)size);
            if (id == "fmt " && format is null)
            {
                if (!TryReadFormat(chunk, out format, out reason)) return false;
            }
            else if (id == "data" && data is null)
            {
                data = (body, (int)size);
            }
            position = body + (int)size + (int)(size & 1); // chunks are padded to an even length
        }

        if (format is null)
        {
            reason = "The WAV file has no 'fmt ' chunk describing its samples.";
            return false;
        }
        if (data is null)
        {
            reason = "The WAV file has no 'data' chunk: it holds no samples.";
            return false;
        }
        layout = new WavLayout(format, data.Value.Offset, data.Value.Length);
        reason = "";
        return true;
    }

    private static bool TryReadFormat(ReadOnlySpan<byte> chunk, out WavFormat? format, out string reason)
    {
        format = null;
        if (chunk.Length < 16)
        {
            reason = $"The WAV file's 'fmt ' chunk is {chunk.Length} bytes long, too short to describe its samples.";
            return false;
        }
        var code = BinaryPrimitives.ReadUInt16LittleEndian(chunk);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(chunk[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(chunk[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[14..]);
        if (code == ExtensibleCode)
        {
            if (chunk.Length < 40)
            {
                reason = "The WAV file's extensible 'fmt ' chunk is too short to say how its samples are encoded.";
                return false;
            }
            code = BinaryPrimitives.ReadUInt16LittleEndian(chunk[24..]); // the sub-format GUID starts with the plain code
        }

        reason = "";
        if (channels == 0) reason = "The WAV file declares zero channels.";
        else if (channels > MaxChannels) reason = $"The WAV file declares {channels} channels; at most {MaxChannels} are read.";
        else if (sampleRate == 0 || sampleRate > MaxSampleRate)
            reason = $"The WAV file declares a sample rate of {sampleRate:N0} Hz; rates from 1 Hz to {MaxSampleRate:N0} Hz are read.";
        else if (code == PcmCode && bits is not (8 or 16 or 24 or 32))
            reason = $"The WAV file's PCM samples have {bits} bits; 8, 16, 24 and 32-bit samples are read.";
        else if (code == FloatCode && bits != 32)
            reason = $"The WAV file's float samples have {bits} bits; 32-bit float samples are read.";
        else if (code is not (PcmCode or FloatCode))
            reason = $"The WAV file's samples use encoding {code} (compressed); only PCM and 32-bit float samples are read.";
        else if (blockAlign != channels * (bits / 8))
            reason = $"The WAV file's header is inconsistent: {channels} channels of {bits} bits need {channels * (bits / 8)} bytes per frame, not {blockAlign}.";
        if (reason.Length > 0) return false;

        format = new WavFormat(code == FloatCode ? WavEncoding.Float : WavEncoding.Pcm, channels, (int)sampleRate, bits);
        return true;
    }
}
