using System.Buffers.Binary;
using System.Text;

namespace IoTRoutes.Tests.Core.Media;

/// <summary>WAV files made in the test from a function of (time in seconds, channel) to a level where full scale is 1.</summary>
internal sealed record TestWave(int SampleRate = 16_000, int Channels = 1, int Bits = 16, bool Float = false, bool Extensible = false)
{
    public byte[] Write(double seconds, Func<double, int, double> level, bool withListChunk = true)
    {
        var frames = (int)Math.Round(seconds * SampleRate);
        var bytesPerSample = Bits / 8;
        var data = new byte[frames * Channels * bytesPerSample];
        for (var f = 0; f < frames; f++)
        for (var c = 0; c < Channels; c++)
            WriteSample(data.AsSpan((f * Channels + c) * bytesPerSample, bytesPerSample), level(f / (double)SampleRate, c));

        var file = new MemoryStream();
        file.Write("RIFF\0\0\0\0WAVE"u8);
        WriteChunk(file, "fmt ", Format());
        if (withListChunk) WriteChunk(file, "LIST", Encoding.ASCII.GetBytes("INFOISFT\x05\0\0\0test\0")); // odd size: padded
        WriteChunk(file, "data", data);
        var bytes = file.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    public static double Sine(double t, double amplitude, double hertz = 1000) => amplitude * Math.Sin(2 * Math.PI * hertz * t);

    /// <summary>Where the 32-bit size of the data chunk is written in a file made by <see cref="Write"/>.</summary>
    public static int DataSizeOffset(byte[] wav) => wav.AsSpan().IndexOf("data"u8) + 4;

    private byte[] Format()
    {
        var format = new byte[Extensible ? 40 : 16];
        var code = Float ? 3 : 1;
        BinaryPrimitives.WriteUInt16LittleEndian(format, (ushort)(Extensible ? 0xFFFE : code));
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(2), (ushort)Channels);
        BinaryPrimitives.WriteInt32LittleEndian(format.AsSpan(4), SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(format.AsSpan(8), SampleRate * Channels * Bits / 8);
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(12), (ushort)(Channels * Bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(14), (ushort)Bits);
        if (Extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(16), 22);
            BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(18), (ushort)Bits);
            BinaryPrimitives.WriteUInt16LittleEndian(format.AsSpan(24), (ushort)code); // sub-format GUID, first two bytes
            ((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]).CopyTo(format.AsSpan(26));
        }
        return format;
    }

    private void WriteSample(Span<byte> target, double level)
    {
        if (Float)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target, (float)level);
            return;
        }
        var full = 1L << (Bits - 1);
        var value = Math.Clamp((long)Math.Round(level * full), -full, full - 1);
        switch (Bits)
        {
            case 8: target[0] = (byte)(value + 128); break;
            case 16: BinaryPrimitives.WriteInt16LittleEndian(target, (short)value); break;
            case 24: target[0] = (byte)value; target[1] = (byte)(value >> 8); target[2] = (byte)(value >> 16); break;
            case 32: BinaryPrimitives.WriteInt32LittleEndian(target, (int)value); break;
        }
    }

    private static void WriteChunk(Stream file, string id, byte[] body)
    {
        file.Write(Encoding.ASCII.GetBytes(id));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, body.Length);
        file.Write(size);
        file.Write(body);
        if (body.Length % 2 == 1) file.WriteByte(0);
    }
}
