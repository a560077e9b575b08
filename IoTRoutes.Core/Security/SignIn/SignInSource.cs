using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoTRoutes.Core.Security.SignIn;

/// <summary>The keys sign-in attempts are counted under: where they come from, and which account they name.</summary>
public static class SignInSource
{
    /// <summary>
    /// An IPv4 address as it is; an IPv6 address by its /64 prefix, because one host is usually given a whole /64
    /// and could otherwise change address at every attempt.
    /// </summary>
    public static string AddressKey(string? remoteAddress)
    {
        if (!IPAddress.TryParse(remoteAddress, out var address))
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// The account an attempt names, spelled as the user table normalises it; known and unknown e-mail addresses are
    /// counted alike, so the throttle never tells which exist.
    /// </summary>
    public static string AccountKey(string email) =>
        User.Normalize(email.Normalize(NormalizationForm.FormC));
}
