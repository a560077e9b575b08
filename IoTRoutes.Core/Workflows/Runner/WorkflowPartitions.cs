namespace IoTRoutes.Core.Workflows.Runner;

/// <summary>
/// Devices are split into a fixed number of partitions; each workflow keeps a position per partition, and an IoTRoutes
/// node runs only the partitions it holds a lease on, so several nodes sharing a database split the work by device and
/// never run one device's events twice at once. Fixed, so a device's partition never changes.
/// </summary>
public static class WorkflowPartitions
{
    public const int Count = 16;

    /// <summary>The partition of a device: from its id's last bytes (random in every id the platform makes).</summary>
    public static int Of(Guid deviceId)
    {
        Span<byte> bytes = stackalloc byte[16];
        deviceId.TryWriteBytes(bytes, bigEndian: true, out _);
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]) % Count);
    }
}
