using System.Text.Json.Nodes;

namespace IoTRoutes.Core.Media.Audio;

/// <summary>Reads a WAV file: its format, duration, RMS and peak levels, and the loud stretches (see <see cref="LoudnessMeter"/>).</summary>
internal static class WavInterpreter
{
    private const int FramesBetweenChecks = 1 << 16;

    public static MediaReading Interpret(ReadOnlySpan<byte> file, MediaType type, MediaLimits limits, MediaDeadline deadline)
    {
        if (!WavParser.TryParse(file, out var layout, out var reason)) return MediaReading.Reject(type, file.Length, reason);
        var format = layout!.Format;
        var decode = WavSamples.DecoderFor(format);
        var meter = new LoudnessMeter(format.SampleRate, limits.LoudThresholdDbfs, limits.MinLoudSeconds);
        var data = file.Slice(layout.DataOffset, layout.DataLength);
        Span<double> frame = stackalloc double[format.Channels];
        for (long f = 0; f < layout.Frames; f++)
        {
            if (f % FramesBetweenChecks == 0) deadline.Check();
            var bytes = data.Slice((int)(f * format.BlockAlign), format.BlockAlign);
            for (var c = 0; c < format.Channels; c++)
            {
                var sample = decode(bytes.Slice(c * format.BytesPerSample, format.BytesPerSample));
                if (!double.IsFinite(sample))
                    return MediaReading.Reject(type, file.Length, "The WAV file holds float samples that are not numbers (NaN or infinite).");
                frame[c] = sample;
            }
            meter.Add(f, frame);
        }
        meter.Finish();
        return MediaReading.Read(type, file.Length, Fields(type, file.Length, layout, meter));
    }

    private static JsonObject Fields(MediaType type, long sizeBytes, WavLayout layout, LoudnessMeter meter)
    {
        var rate = (double)layout.Format.SampleRate;
        var loud = new JsonArray();
        foreach (var interval in meter.Intervals)
        {
            loud.Add(new JsonObject
            {
                ["start"] = Seconds(interval.StartFrame / rate),
                ["end"] = Seconds(interval.EndFrame / rate),
                ["peakDbfs"] = Decibels(interval.Peak),
            });
        }
        var fields = MediaReading.BasicFields(type, sizeBytes);
        fields["durationSeconds"] = Seconds(layout.Frames / rate);
        fields["sampleRate"] = layout.Format.SampleRate;
        fields["channels"] = layout.Format.Channels;
        fields["bitsPerSample"] = layout.Format.BitsPerSample;
        fields["sampleFormat"] = layout.Format.Encoding == WavEncoding.Float ? "float" : "pcm";
        fields["rms"] = Level(meter.Rms);
        fields["rmsDbfs"] = Decibels(meter.Rms);
        fields["peak"] = Level(meter.Peak);
        fields["peakDbfs"] = Decibels(meter.Peak);
        fields["loud"] = loud;
        fields["loudCount"] = meter.LoudCount;
        return fields;
    }

    private static double Seconds(double value) => Math.Round(value, 4);

    private static double Level(double value) => Math.Round(value, 6);

    private static double Decibels(double amplitude) => Math.Round(Dbfs.FromAmplitude(amplitude), 2);
}
