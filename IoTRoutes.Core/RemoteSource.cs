using System.Net;
using System.Net.Sockets;

namespace IoTRoutes.Core;

/// <summary>The address a per-source limit counts (sign-in throttling, connections awaiting CONNECT).</summary>
public static class RemoteSource
{
    /// <summary>
    /// IPv4 as it is (an IPv4-mapped IPv6 address unwrapped); IPv6 by its /64 prefix, because one host usually holds a
    /// whole /64 and could otherwise change address at every attempt.
    /// </summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
