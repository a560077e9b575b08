using System.Buffers.Binary;
using System.Text.Json.Nodes;
using IoTRoutes.Core.Media;

namespace IoTRoutes.Tests.Core.Media;

public sealed class WavInterpreterTests
{
    private readonly MediaInterpreter _interpreter = MediaTestInterpreter.Create();

    public static TheoryData<int, bool, double> Encodings => new()
    {
        // bits, float, tolerance (8-bit quantization is coarse)
        { 8, false, 0.005 },
        { 16, false, 0.0005 },
        { 24, false, 0.0005 },
        { 32, false, 0.0005 },
        { 32, true, 0.0005 },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_1khz_sine_has_rms_amplitude_over_root_two_and_peak_amplitude(int bits, bool isFloat, double tolerance)
    {
        const double amplitude = 0.5;
        var wave = new TestWave(SampleRate: 48_000, Bits: bits, Float: isFloat);
        var file = wave.Write(1.0, (t, _) => TestWave.Sine(t, amplitude));

        var reading = _interpreter.Interpret(file).Succeeded();

        Assert.Equal(MediaKind.Audio, reading.Kind);
        Assert.Equal("audio/wav", (string?)reading.Fields["mediaType"]);
        Assert.Equal(1.0, reading.Number("durationSeconds"), 0.0001);
        Assert.Equal(48_000, (int?)reading.Fields["sampleRate"]);
        Assert.Equal(1, (int?)reading.Fields["channels"]);
        Assert.Equal(bits, (int?)reading.Fields["bitsPerSample"]);
        Assert.Equal(isFloat ? "float" : "pcm", (string?)reading.Fields["sampleFormat"]);
        Assert.Equal(amplitude / Math.Sqrt(2), reading.Number("rms"), tolerance);
        Assert.Equal(amplitude, reading.Number("peak"), tolerance);
        Assert.Equal(-9.03, reading.Number("rmsDbfs"), 0.1);
        Assert.Equal(-6.02, reading.Number("peakDbfs"), 0.1);
    }

    [Fact]
    public void A_loud_burst_in_silence_is_found_where_it_is()
    {
        // 3 s: silence, a -6 dBFS tone from 1.20 s to 1.70 s, a 30 ms click at 2.5 s (shorter than the 0.1 s minimum),
        // and quiet hiss at -40 dBFS throughout (below the -20 dBFS threshold).
        var hiss = new Random(5);
        var file = new TestWave(SampleRate: 16_000).Write(3.0, (t, _) =>
            (t is >= 1.2 and < 1.7 ? TestWave.Sine(t, 0.5) : 0)
            + (t is >= 2.5 and < 2.53 ? TestWave.Sine(t, 0.9, 440) : 0)
            + (hiss.NextDouble() - 0.5) * 0.02);

        var reading = _interpreter.Interpret(file).Succeeded();

        var loud = Assert.Single(reading.Fields["loud"]!.AsArray());
        Assert.Equal(1.2, loud!["start"]!.GetValue<double>(), 0.01);
        Assert.Equal(1.7, loud["end"]!.GetValue<double>(), 0.01);
        Assert.Equal(-6.02, loud["peakDbfs"]!.GetValue<double>(), 0.3);
        Assert.Equal(1, (int?)reading.Fields["loudCount"]);
    }

    [Fact]
    public void The_threshold_and_minimum_interval_come_from_the_limits()
    {
        var file = new TestWave().Write(2.0, (t, _) =>
            t is >= 0.5 and < 0.56 ? TestWave.Sine(t, 0.05) : 0); // -26 dBFS for 60 ms

        Assert.Empty(_interpreter.Interpret(file).Succeeded().Fields["loud"]!.AsArray());
        var sensitive = new MediaLimits { LoudThresholdDbfs = -30, MinLoudSeconds = 0.05 };
        var loud = Assert.Single(_interpreter.Interpret(file, limits: sensitive).Succeeded().Fields["loud"]!.AsArray());
        Assert.Equal(0.5, loud!["start"]!.GetValue<double>(), 0.01);
        Assert.Equal(0.56, loud["end"]!.GetValue<double>(), 0.01);
    }

    [Fact]
    public void Two_bursts_apart_are_two_intervals()
    {
        var file = new TestWave().Write(3.0, (t, _) =>
            t is >= 0.5 and < 0.8 or >= 2.0 and < 2.4 ? TestWave.Sine(t, 0.8) : 0);

        var loud = _interpreter.Interpret(file).Succeeded().Fields["loud"]!.AsArray();

        Assert.Equal([0.5, 2.0], loud.Select(l => Math.Round(l!["start"]!.GetValue<double>(), 2)));
        Assert.Equal([0.8, 2.4], loud.Select(l => Math.Round(l!["end"]!.GetValue<double>(), 2)));
    }

    [Fact]
    public void A_stereo_file_measures_both_channels()
    {
        // Left silent, right a full-scale-half tone: the loud stretch and the peak come from the right channel.
        var file = new TestWave(SampleRate: 44_100, Channels: 2, Bits: 24).Write(1.0, (t, channel) =>
            channel == 1 ? TestWave.Sine(t, 0.5) : 0);

        var reading = _interpreter.Interpret(file).Succeeded();

        Assert.Equal(2, (int?)reading.Fields["channels"]);
        Assert.Equal(1.0, reading.Number("durationSeconds"), 0.0001);
        Assert.Equal(0.5, reading.Number("peak"), 0.001);
        Assert.Equal(0.5 / Math.Sqrt(2) / Math.Sqrt(2), reading.Number("rms"), 0.001); // half the samples are silent
        Assert.Single(reading.Fields["loud"]!.AsArray());
    }

    [Fact]
    public void An_extensible_float_file_is_read()
    {
        var file = new TestWave(Float: true, Bits: 32, Extensible: true).Write(0.5, (t, _) => TestWave.Sine(t, 0.25));

        var reading = _interpreter.Interpret(file).Succeeded();

        Assert.Equal(0.25, reading.Number("peak"), 0.001);
        Assert.Equal("float", (string?)reading.Fields["sampleFormat"]);
    }

    [Fact]
    public void Silence_has_finite_floor_levels()
    {
        var reading = _interpreter.Interpret(new TestWave().Write(0.5, (_, _) => 0)).Succeeded();

        Assert.Equal(0, reading.Number("rms"));
        Assert.Equal(-150, reading.Number("peakDbfs"));
        Assert.Equal(-150, reading.Number("rmsDbfs"));
        Assert.Empty(reading.Fields["loud"]!.AsArray());
        Assert.NotNull(JsonNode.Parse(reading.Fields.ToJsonString())); // no NaN or infinity in the item
    }

    [Fact]
    public void A_truncated_wav_is_rejected()
    {
        var file = new TestWave().Write(1.0, (t, _) => TestWave.Sine(t, 0.5));

        var reason = _interpreter.Interpret(file[..(file.Length / 2)]).RejectedWith("truncated");

        Assert.Contains("32,000 bytes", reason); // 1 s of 16 kHz 16-bit mono declared
    }

    [Fact]
    public void A_wav_whose_header_claims_more_data_than_the_file_holds_is_rejected()
    {
        var file = new TestWave().Write(0.1, (t, _) => TestWave.Sine(t, 0.5));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(TestWave.DataSizeOffset(file)), 50_000_000);

        _interpreter.Interpret(file).RejectedWith("the data chunk declares 50,000,000 bytes but only 3,200 follow");
    }

    [Theory]
    [InlineData(22, (ushort)0, "zero channels")]
    [InlineData(24, 0u, "sample rate of 0 Hz")]
    [InlineData(24, 10_000_000u, "sample rate of 10,000,000 Hz")]
    [InlineData(34, (ushort)12, "12 bits")]
    [InlineData(20, (ushort)2, "encoding 2")]
    [InlineData(32, (ushort)3, "header is inconsistent")]
    public void A_wav_with_an_impossible_format_is_rejected(int offset, object value, string expected)
    {
        var file = new TestWave().Write(0.1, (t, _) => TestWave.Sine(t, 0.5), withListChunk: false);
        if (value is ushort word) BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(offset), word);
        else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), (uint)value);

        _interpreter.Interpret(file).RejectedWith(expected);
    }

    [Fact]
    public void A_wav_without_samples_is_rejected()
    {
        var file = new TestWave().Write(0.1, (t, _) => TestWave.Sine(t, 0.5), withListChunk: false);

        _interpreter.Interpret(file[..36]).RejectedWith("no 'data' chunk");
    }

    [Fact]
    public void Float_samples_that_are_not_numbers_are_rejected()
    {
        var file = new TestWave(Float: true, Bits: 32).Write(0.1, (_, _) => double.NaN);

        _interpreter.Interpret(file).RejectedWith("not numbers");
    }

    [Fact]
    public void Damaged_wav_files_give_a_reading_or_a_reason_and_never_throw()
    {
        var original = new TestWave(Channels: 2).Write(0.2, (t, c) => TestWave.Sine(t, 0.3 + c * 0.2));
        var random = new Random(7);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var damaged = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) damaged[random.Next(12, 80)] = (byte)random.Next(256);
            if (attempt % 4 == 0) damaged = damaged[..random.Next(12, damaged.Length)];

            var reading = _interpreter.Interpret(damaged);

            Assert.True(reading.Succeeded || !string.IsNullOrWhiteSpace(reading.Reason));
        }
    }
}
