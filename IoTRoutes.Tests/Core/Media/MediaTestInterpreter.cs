using IoTRoutes.Core.Media;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IoTRoutes.Tests.Core.Media;

internal static class MediaTestInterpreter
{
    public static MediaInterpreter Create(TimeProvider? clock = null, MediaLimits? limits = null) =>
        new(clock ?? TimeProvider.System, Options.Create(limits ?? new MediaLimits()), NullLogger<MediaInterpreter>.Instance);

    /// <summary>Asserts the reading succeeded, showing the reason when it did not.</summary>
    public static MediaReading Succeeded(this MediaReading reading)
    {
        Assert.True(reading.Succeeded, reading.Reason);
        Assert.Null(reading.Reason);
        return reading;
    }

    /// <summary>Asserts the reading was rejected with a reason containing <paramref name="part"/>, and returns the reason.</summary>
    public static string RejectedWith(this MediaReading reading, string part)
    {
        Assert.True(reading.Rejected, $"expected a rejection containing '{part}', got fields {reading.Fields.ToJsonString()}");
        Assert.Contains(part, reading.Reason);
        Assert.Null(reading.Thumbnail);
        Assert.Equal(reading.ContentType, (string?)reading.Fields["mediaType"]);
        Assert.Equal(reading.SizeBytes, (long?)reading.Fields["sizeBytes"]);
        return reading.Reason!;
    }

    public static double Number(this MediaReading reading, string field) =>
        reading.Fields[field]?.GetValue<double>() ?? throw new Xunit.Sdk.XunitException($"no field {field} in {reading.Fields.ToJsonString()}");
}
