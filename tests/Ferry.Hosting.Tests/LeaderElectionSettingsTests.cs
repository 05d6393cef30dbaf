using Ferry.Controller.LeaderElection;

namespace Ferry.Hosting.Tests;

public class LeaderElectionSettingsTests
{
    [Fact]
    public void Defaults_AreUpstreamsAndValid()
    {
        var options = new LeaderElectionOptions { Identity = LeaderElectionOptions.DefaultIdentity() };

        Assert.Equal("ferry-controller", options.LeaseName);
        Assert.Equal("ferry-system", options.LeaseNamespace);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryPeriod);
        Assert.Empty(options.Validate());
        Assert.StartsWith(Environment.MachineName + "_", options.Identity, StringComparison.Ordinal);
        Assert.NotEqual(LeaderElectionOptions.DefaultIdentity(), LeaderElectionOptions.DefaultIdentity());
    }

    [Theory]
    [InlineData("lease not longer than renew", 10, 10, 2, "lease duration")]
    [InlineData("renew not longer than retry", 15, 2, 2, "renew deadline")]
    [InlineData("no retry period", 15, 10, 0, "retry period")]
    public void Validate_BadTimings_SaysWhich(string description, double lease, double renew, double retry, string expected)
    {
        var options = new LeaderElectionOptions
        {
            Identity = "a",
            LeaseDuration = TimeSpan.FromSeconds(lease),
            RenewDeadline = TimeSpan.FromSeconds(renew),
            RetryPeriod = TimeSpan.FromSeconds(retry),
        };

        var problems = options.Validate();
        Assert.True(problems.Count == 1, $"expected one error ({description}), got: [{string.Join("; ", problems)}]");
        Assert.Contains(expected, problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoLeaderElection_LeadsAtOnceUntilCancelled()
    {
        var election = new NoLeaderElection();
        using var stop = new CancellationTokenSource();
        var leading = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = election.RunAsync(
            async token =>
            {
                leading.SetResult(election.IsLeader);
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            },
            stop.Token);

        Assert.True(await leading.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(election.IsLeader);
    }
}
