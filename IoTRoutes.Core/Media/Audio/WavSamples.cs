using System.Buffers.Binary;

namespace IoTRoutes.Core.Media.Audio;

internal delegate double SampleDecoder(ReadOnlySpan<byte> sample);

/// <summary>Turns one stored sample into a level where full scale is 1 (integers: −1 ≤ x &lt; 1; floats as stored).</summary>
internal static class WavSamples
{
    public static SampleDecoder DecoderFor(WavFormat format) => (format.Encoding, format.BitsPerSample) switch
    {
        (WavEncoding.Pcm, 8) => static s => (s[0] - 128) / 128.0, // 8-bit WAV is unsigned
        (WavEncoding.Pcm, 16) => static s => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
        (WavEncoding.Pcm, 24) => static s => (s[0] | s[1] << 8 | (sbyte)s[2] << 16) / 8388608.0,
        (WavEncoding.Pcm, 32) => static s => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
        (WavEncoding.Float, 32) => static s => BinaryPrimitives.ReadSingleLittleEndian(s),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "WavParser admits no such format."),
    };
}
