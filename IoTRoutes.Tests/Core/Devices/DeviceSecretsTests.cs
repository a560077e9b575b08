using IoTRoutes.Core.Devices;

namespace IoTRoutes.Tests.Core.Devices;

public sealed class DeviceSecretsTests
{
    [Fact]
    public void Keys_are_topic_safe_and_distinct()
    {
        var keys = Enumerable.Range(0, 200).Select(_ => DeviceSecrets.NewKey()).ToList();
        Assert.All(keys, k => Assert.Matches("^[a-z0-9]{12}$", k));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void A_secret_matches_its_hash_and_nothing_else()
    {
        var secret = DeviceSecrets.NewSecret();
        var hash = DeviceSecrets.Hash(secret);

        Assert.True(DeviceSecrets.Matches(secret, hash));
        Assert.False(DeviceSecrets.Matches(secret + "x", hash));
        Assert.False(DeviceSecrets.Matches(DeviceSecrets.NewSecret(), hash));
        Assert.DoesNotContain(secret, hash);
    }

    [Fact]
    public void Secrets_carry_256_random_bits_in_url_safe_text()
    {
        var secret = DeviceSecrets.NewSecret();
        Assert.Equal(43, secret.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", secret);
    }
}
