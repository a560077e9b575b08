namespace IoTRoutes.Core.Media.Audio;

internal enum WavEncoding
{
    Pcm,
    Float,
}

/// <summary>The sample layout from a WAV file's <c>fmt </c> chunk, checked to be consistent.</summary>
internal sealed record WavFormat(WavEncoding Encoding, int Channels, int SampleRate, int BitsPerSample)
{
    public int BytesPerSample => BitsPerSample / 8;

    public int BlockAlign => Channels * BytesPerSample;
}

/// <summary>Where the samples are: the format and the data chunk's bytes within the file.</summary>
internal sealed record WavLayout(WavFormat Format, int DataOffset, int DataLength)
{
    public long Frames => DataLength / Format.BlockAlign;
}
