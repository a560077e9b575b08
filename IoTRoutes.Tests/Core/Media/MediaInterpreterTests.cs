using System.Text;
using IoTRoutes.Core.Media;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SkiaSharp;

namespace IoTRoutes.Tests.Core.Media;

public sealed class MediaInterpreterTests
{
    private readonly MediaInterpreter _interpreter = MediaTestInterpreter.Create();

    [Fact]
    public void Empty_input_is_rejected()
    {
        var reading = _interpreter.Interpret([]);

        Assert.Equal("The file is empty.", reading.RejectedWith("empty"));
        Assert.Equal(0, reading.SizeBytes);
    }

    [Fact]
    public void Random_bytes_are_other_octet_stream_with_their_size()
    {
        var bytes = new byte[1000];
        new Random(11).NextBytes(bytes);
        bytes[0] = 0x00; // no accidental signature

        var reading = _interpreter.Interpret(bytes).Succeeded();

        Assert.Equal(MediaKind.Other, reading.Kind);
        Assert.Equal("application/octet-stream", reading.ContentType);
        Assert.Equal("""{"mediaType":"application/octet-stream","sizeBytes":1000}""", reading.Fields.ToJsonString());
        Assert.Null(reading.Thumbnail);
    }

    [Theory]
    [InlineData("%PDF-1.7\n%âãÏÓ\n1 0 obj", "application/pdf")]
    [InlineData("hello, sensor 7\nline two", "text/plain")]
    [InlineData("""  {"temperature": 21.5, "unit": "C"}  """, "application/json")]
    [InlineData("""{"temperature": 21.5""", "text/plain")]
    public void Other_files_are_typed_by_their_content(string content, string contentType)
    {
        var reading = _interpreter.Interpret(Encoding.UTF8.GetBytes(content)).Succeeded();

        Assert.Equal(MediaKind.Other, reading.Kind);
        Assert.Equal(contentType, reading.ContentType);
    }

    [Fact]
    public void The_type_comes_from_the_content_never_from_the_declaration()
    {
        var png = TestImages.Solid(8, 8, SKColors.White);

        var reading = _interpreter.Interpret(png, declaredType: "image/jpeg").Succeeded();

        Assert.Equal("image/png", reading.ContentType);
        Assert.Equal("image/jpeg", (string?)reading.Fields["declaredType"]);
    }

    [Fact]
    public void A_matching_declaration_adds_nothing()
    {
        var reading = _interpreter.Interpret(TestImages.Solid(8, 8, SKColors.White), declaredType: "Image/PNG; charset=binary").Succeeded();

        Assert.Null(reading.Fields["declaredType"]);
    }

    [Fact]
    public void A_file_declared_as_an_image_whose_content_is_not_one_is_rejected()
    {
        var bytes = new byte[300];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0x00;

        var reading = _interpreter.Interpret(bytes, declaredType: "image/png");

        Assert.Equal("The file was declared as image/png, but its content is application/octet-stream.", reading.RejectedWith("declared"));
    }

    [Fact]
    public void A_file_above_the_byte_limit_is_rejected_with_its_size()
    {
        var png = TestImages.Noise(40, 40, seed: 1);

        var reading = _interpreter.Interpret(png, limits: new MediaLimits { MaxBytes = 1000 });

        reading.RejectedWith($"The file has {png.Length:N0} bytes, more than the limit of 1,000 bytes.");
        Assert.Equal("image/png", reading.ContentType);
    }

    [Fact]
    public async Task A_stream_is_read_to_its_end_and_interpreted()
    {
        var wav = new TestWave().Write(0.5, (t, _) => TestWave.Sine(t, 0.5));

        var reading = (await _interpreter.InterpretAsync(new OneWayStream(wav))).Succeeded();

        Assert.Equal(0.5, reading.Number("durationSeconds"), 0.0001);
        Assert.Equal(wav.Length, reading.SizeBytes);
    }

    [Fact]
    public async Task A_stream_longer_than_the_limit_is_rejected_with_its_whole_size()
    {
        var wav = new TestWave().Write(1.0, (t, _) => TestWave.Sine(t, 0.5));

        var reading = await _interpreter.InterpretAsync(
            new OneWayStream(wav), limits: new MediaLimits { MaxBytes = 4096 });

        reading.RejectedWith($"{wav.Length:N0} bytes, more than the limit of 4,096 bytes");
        Assert.Equal(wav.Length, reading.SizeBytes);
        Assert.Equal(MediaKind.Audio, reading.Kind);
    }

    [Fact]
    public async Task A_seekable_stream_longer_than_the_limit_is_rejected_from_its_length_and_first_bytes()
    {
        var png = TestImages.Noise(60, 60, seed: 2);
        using var stream = new MemoryStream(png);

        var reading = await _interpreter.InterpretAsync(stream, limits: new MediaLimits { MaxBytes = 2048 });

        reading.RejectedWith($"{png.Length:N0} bytes, more than the limit of 2,048 bytes");
        Assert.Equal("image/png", reading.ContentType);
        Assert.Equal(64, stream.Position);
    }

    [Fact]
    public void A_reading_that_runs_out_of_time_is_rejected()
    {
        // Every look at the clock moves it one second on: a 10 s recording needs more looks than a 3 s budget allows.
        var clock = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var interpreter = MediaTestInterpreter.Create(clock);
        var wav = new TestWave(SampleRate: 48_000).Write(10.0, (t, _) => TestWave.Sine(t, 0.5), withListChunk: false);

        var reading = interpreter.Interpret(wav, limits: new MediaLimits { Timeout = TimeSpan.FromSeconds(3) });

        Assert.Equal("Reading the WAV file took longer than the limit of 3 s.", reading.RejectedWith("took longer"));
    }

    [Fact]
    public void The_callers_cancellation_is_not_a_rejection()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var png = TestImages.Solid(8, 8, SKColors.White);

        Assert.Throws<OperationCanceledException>(() => _interpreter.Interpret(png, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void Limits_out_of_range_are_a_caller_error_with_every_problem_named()
    {
        var limits = new MediaLimits { MaxPixels = 0, LoudThresholdDbfs = 3 };

        Assert.Equal(2, limits.Problems().Count);
        var error = Assert.Throws<ArgumentException>(() => _interpreter.Interpret([1, 2, 3], limits: limits));
        Assert.Contains("MaxPixels", error.Message);
        Assert.Contains("LoudThresholdDbfs", error.Message);
        Assert.Empty(MediaLimits.Default.Problems());
    }

    [Fact]
    public void The_default_limits_are_bound_from_configuration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["IoTRoutes:Media:LoudThresholdDbfs"] = "-30" })
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMediaInterpreters()
            .BuildServiceProvider();

        var interpreter = services.GetRequiredService<MediaInterpreter>();

        Assert.Equal(-30, interpreter.DefaultLimits.LoudThresholdDbfs);
        Assert.Equal(40_000_000, interpreter.DefaultLimits.MaxPixels);
    }

    /// <summary>A stream that cannot seek and hands out a few bytes per read, like a network body.</summary>
    private sealed class OneWayStream(byte[] content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
