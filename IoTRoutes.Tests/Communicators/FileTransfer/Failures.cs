using IoTRoutes.Core.Communicators;

namespace IoTRoutes.Tests.Communicators.FileTransfer;

internal static class Failures
{
    /// <summary>
    /// Awaits <paramref name="operation"/>, expecting a <see cref="CommunicatorException"/> of <paramref name="kind"/>
    /// whose message, inner exceptions included, holds none of <paramref name="secrets"/>.
    /// </summary>
    public static async Task<CommunicatorException> AssertFailsAsync(ConnectionFailure kind, Func<Task> operation, params string[] secrets)
    {
        var e = await Assert.ThrowsAsync<CommunicatorException>(operation);
        Assert.True(e.Failure == kind, $"Expected a {kind} failure, got {e.Failure}: {e.Message}");
        AssertHoldsNoSecret(e, secrets);
        return e;
    }

    public static void AssertHoldsNoSecret(Exception e, params string[] secrets)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            foreach (var secret in secrets.Where(s => s.Length > 0))
            {
                Assert.DoesNotContain(secret, inner.Message, StringComparison.Ordinal);
            }
        }
    }
}
