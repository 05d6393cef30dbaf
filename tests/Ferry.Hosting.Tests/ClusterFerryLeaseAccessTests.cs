using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting.Tests;

/// <summary>
/// A refused Lease call (401, 403) needs an operator: it is an error in the log that names the verb,
/// resource and namespace, and <c>/readyz</c> fails with it until a later call succeeds.
/// </summary>
public class ClusterFerryLeaseAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WrongToken_IsOneErrorNamingTheRefusedCall_AndFailsReadiness_UntilTheTokenIsAccepted()
    {
        await using var cluster = await ElectionCluster.StartAsync();
        var logs = new CollectedLogs();
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var a = cluster.StartReplica("replica-a", logs: logs, token: token);

        await WaitUntilAsync(() => !a.Ferry.GetReadiness().IsReady, "/readyz never failed");
        Assert.Contains("get leases.coordination.k8s.io in namespace default refused: 401 Unauthorized", a.Ferry.GetReadiness().Message, StringComparison.Ordinal);

        // A few retry periods later: still refused, still one error line, never led.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var error = Assert.Single(logs.Lines, l => l.Level >= LogLevel.Error);
        Assert.Equal(2411, error.EventId);
        Assert.Contains("get leases.coordination.k8s.io in namespace default refused: 401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.False(a.Ferry.GetReadiness().IsReady);
        Assert.False(a.Ferry.IsLeader);
        Assert.Equal(0, a.Ferry.Terms);

        // The API server now accepts that token (its token file, then a restart): the next call
        // succeeds, /readyz recovers and the replica leads.
        await cluster.StopApiAsync();
        await File.WriteAllTextAsync(Path.Combine(cluster.DataDirectory, "token"), token + "\n", Ct);
        await cluster.RestartApiAsync();
        await WaitUntilAsync(() => a.Ferry.Current is { Controller.IsReady: true }, "the replica never led with an accepted token");
        Assert.Equal("ok", a.Ferry.GetReadiness().Message);
        Assert.True(a.Ferry.GetReadiness().IsReady);
        Assert.Contains(logs.Lines, l => l.EventId == 2412);
    }

    /// <summary>
    /// The ServiceAccount-without-the-right-namespace case: a user the API server knows, whose policy
    /// allows Leases only elsewhere (so even the read is refused), or only reading them here (so the
    /// create is refused after the read found no Lease).
    /// </summary>
    [Theory]
    [InlineData("ferry-system", false, "get")]
    [InlineData("default", true, "create")]
    public async Task LeasesNotAllowedInTheNamespace_IsOneErrorNamingTheRefusedVerb_AndFailsReadiness(string allowedNamespace, bool readOnly, string refusedVerb)
    {
        const string Token = "ferry-user-token-0123456789abcdef";
        var policy = $$$"""{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{"user":"ferry","namespace":"{{{allowedNamespace}}}","resource":"leases","apiGroup":"coordination.k8s.io","readonly":{{{(readOnly ? "true" : "false")}}}}}""";
        await using var cluster = await ElectionCluster.StartAsync([$"{Token},ferry,ferry-uid"], [policy]);
        var logs = new CollectedLogs();
        var a = cluster.StartReplica("replica-a", logs: logs, token: Token);

        await WaitUntilAsync(() => !a.Ferry.GetReadiness().IsReady, "/readyz never failed");
        var expected = $"{refusedVerb} leases.coordination.k8s.io in namespace default refused: 403 Forbidden";
        Assert.Contains(expected, a.Ferry.GetReadiness().Message, StringComparison.Ordinal);
        Assert.Contains("User \"ferry\" cannot " + refusedVerb + " resource \"leases\"", a.Ferry.GetReadiness().Message, StringComparison.Ordinal);

        // A few retry periods later: still refused, still one error line, never led.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var error = Assert.Single(logs.Lines, l => l.Level >= LogLevel.Error);
        Assert.Equal(2411, error.EventId);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("--lease-namespace", error.Message, StringComparison.Ordinal);
        Assert.False(a.Ferry.GetReadiness().IsReady);
        Assert.False(a.Ferry.IsLeader);
        Assert.Equal(0, a.Ferry.Terms);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50, Ct);
        }
    }
}
