using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoTRoutes.Core.Security.SignIn;

/// <summary>The keys sign-in attempts are counted under: where they come from, and which account they name.</summary>
public static class SignInSource
{
    /// <summary>The source an attempt is counted under (<see cref="RemoteSource.Normalize"/>: IPv6 by its /64).</summary>
    public static string AddressKey(string? remoteAddress)
    {
        if (!IPAddress.TryParse(remoteAddress, out var address))
        {
            return "unknown";
        }

        var source = RemoteSource.Normalize(address);
        return source.AddressFamily == AddressFamily.InterNetworkV6 ? source + "/64" : source.ToString();
    }

    /// <summary>
    /// The account an attempt names, spelled as the user table normalises it; known and unknown e-mail addresses are
    /// counted alike, so the throttle never tells which exist.
    /// </summary>
    public static string AccountKey(string email) =>
        User.Normalize(email.Normalize(NormalizationForm.FormC));
}
