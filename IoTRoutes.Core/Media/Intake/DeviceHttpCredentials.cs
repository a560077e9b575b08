using System.Net;
using IoTRoutes.Core.Devices;
using IoTRoutes.Core.Messaging.Brokers;

namespace IoTRoutes.Core.Media.Intake;

/// <summary>
/// Checks the key and secret a device gives over HTTPS (its MQTT credentials), for the device named in the address. An
/// address that failed <see cref="FailuresPerMinute"/> times this minute is refused without a check, so secrets cannot be
/// guessed at speed; unknown device, other device's key and wrong secret all read the same.
/// </summary>
public sealed class DeviceHttpCredentials(DeviceCredentialValidator validator, TimeProvider clock)
{
    public const int FailuresPerMinute = 10;

    private readonly ConnectAttemptLimiter _failures = new(FailuresPerMinute, clock);

    public async Task<(AuthenticatedDevice? Device, bool Throttled)> AuthenticateAsync(Guid deviceId, string? key, string? secret, EndPoint? remote, CancellationToken ct)
    {
        if (_failures.IsExhausted(remote)) return (null, true);
        var device = await validator.ValidateAsync(key, secret, ct);
        if (device is not null && device.Id == deviceId) return (device, false);
        _failures.TryAttempt(remote);
        return (null, false);
    }
}
