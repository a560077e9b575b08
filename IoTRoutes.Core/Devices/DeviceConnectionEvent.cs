namespace IoTRoutes.Core.Devices;

/// <summary>A device connected to or disconnected from a broker; kept as the device's connection history.</summary>
public sealed class DeviceConnectionEvent
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Device? Device { get; set; }
    public Guid BrokerId { get; set; }
    public DateTimeOffset At { get; set; }
    public bool Connected { get; set; }
    public string? ClientId { get; set; }
    public string? RemoteAddress { get; set; }
    public string? Protocol { get; set; }

    /// <summary>For a disconnection: why (the client's DISCONNECT reason, a keep-alive timeout, a takeover...).</summary>
    public string? Reason { get; set; }
}
