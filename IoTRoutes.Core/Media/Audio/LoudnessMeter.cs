namespace IoTRoutes.Core.Media.Audio;

/// <summary>A stretch of frames [Start, End) whose samples reached the loudness threshold, and its peak level.</summary>
internal readonly record struct LoudInterval(long StartFrame, long EndFrame, double Peak);

/// <summary>
/// Measures the samples of a WAV file in one pass: RMS and peak over every sample of every channel, and the stretches
/// where some sample reaches the threshold. Quiet gaps shorter than the bridge (the minimum interval, at least 50 ms,
/// longer than half a period of any audible tone) do not split a stretch; stretches shorter than the minimum are dropped.
/// </summary>
internal sealed class LoudnessMeter
{
    public const int MaxIntervals = 100;
    private const double MinBridgeSeconds = 0.05;

    private readonly double _threshold;
    private readonly long _minFrames;
    private readonly long _bridgeFrames;
    private readonly List<LoudInterval> _intervals = [];
    private double _sumOfSquares;
    private long _samples;
    private double _peak;
    private long _openStart = -1;
    private long _openLast;
    private double _openPeak;

    public LoudnessMeter(int sampleRate, double thresholdDbfs, double minLoudSeconds)
    {
        _threshold = Dbfs.ToAmplitude(thresholdDbfs);
        _minFrames = (long)Math.Ceiling(minLoudSeconds * sampleRate);
        _bridgeFrames = (long)Math.Ceiling(Math.Max(minLoudSeconds, MinBridgeSeconds) * sampleRate);
    }

    public double Rms => _samples == 0 ? 0 : Math.Sqrt(_sumOfSquares / _samples);

    public double Peak => _peak;

    /// <summary>How many loud stretches were found; <see cref="Intervals"/> keeps the first <see cref="MaxIntervals"/>.</summary>
    public int LoudCount { get; private set; }

    public IReadOnlyList<LoudInterval> Intervals => _intervals;

    /// <summary>Adds one frame's samples (one per channel).</summary>
    public void Add(long frame, ReadOnlySpan<double> samples)
    {
        var framePeak = 0.0;
        foreach (var sample in samples)
        {
            _sumOfSquares += sample * sample;
            framePeak = Math.Max(framePeak, Math.Abs(sample));
        }
        _samples += samples.Length;
        _peak = Math.Max(_peak, framePeak);
        if (framePeak < _threshold) return;

        if (_openStart >= 0 && frame - _openLast > _bridgeFrames) Close();
        if (_openStart < 0)
        {
            _openStart = frame;
            _openPeak = 0;
        }
        _openLast = frame;
        _openPeak = Math.Max(_openPeak, framePeak);
    }

    /// <summary>Ends the last open stretch; call once after the last frame.</summary>
    public void Finish()
    {
        if (_openStart >= 0) Close();
    }

    private void Close()
    {
        var end = _openLast + 1;
        if (end - _openStart >= _minFrames)
        {
            LoudCount++;
            if (_intervals.Count < MaxIntervals) _intervals.Add(new LoudInterval(_openStart, end, _openPeak));
        }
        _openStart = -1;
    }
}

/// <summary>Levels in decibels relative to full scale, floored so that silence stays a finite JSON number.</summary>
internal static class Dbfs
{
    public const double Floor = -150;

    public static double FromAmplitude(double amplitude) =>
        amplitude <= 0 ? Floor : Math.Max(Floor, 20 * Math.Log10(amplitude));

    public static double ToAmplitude(double dbfs) => Math.Pow(10, dbfs / 20);
}
