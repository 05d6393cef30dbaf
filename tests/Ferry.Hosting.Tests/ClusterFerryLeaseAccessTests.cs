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
