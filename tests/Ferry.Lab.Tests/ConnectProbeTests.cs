using System.Net;

namespace Ferry.Lab.Tests;

/// <summary>The failover probe against backends in the nodes, with the link as the fault (no Ferry involved).</summary>
[Collection(OneLabAtATime.Name)]
public sealed class ConnectProbeTests
{
    [Fact]
    public async Task Attempt_ToAnEchoingBackendInANode_ReadsItsNameAndTheEcho()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 2 }, ct);
        foreach (var node in lab.Nodes)
        {
            lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv4, 9376), greeting: node.Role)));
        }

        var attempt = await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(lab.Nodes[1].IPv4, 9376), cancellationToken: ct);
        Assert.True(attempt.Succeeded, attempt.ToString());
        Assert.Equal("node2", attempt.Backend);

        var refused = await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(lab.Nodes[1].IPv4, 9377), cancellationToken: ct);
        Assert.False(refused.Succeeded);
        Assert.Equal("ConnectionRefused", refused.Error);
    }

    [Fact]
    public async Task Probe_LinkDownThenUp_RecordsFailuresAndTheRecovery()
    {
        LabRequirement.Lab();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetnsLab.CreateAsync(new NetnsLabOptions { Nodes = 1 }, ct);
        var node = lab.Nodes[0];
        lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv4, 9376), greeting: node.Role)));
        await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(node.IPv4, 9376), new ConnectProbeOptions { Interval = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal("node1", (await probe.WaitForSuccessAsync(TimeSpan.FromSeconds(30), ct))?.Backend);

        var fault = TimeProvider.System.GetUtcNow();
        await lab.SetLinkDownAsync(node, ct);
        for (var i = 0; i < 500 && probe.FailuresSince(fault) < 2; i++)
        {
            await Task.Delay(20, ct);
        }

        Assert.True(probe.FailuresSince(fault) >= 2, string.Join('\n', probe.Attempts));
        Assert.Null(probe.RecoveryAfter(fault));
        await lab.SetLinkUpAsync(node, ct);

        var outage = await probe.WaitForRecoveryAsync(fault, TimeSpan.FromSeconds(30), cancellationToken: ct);
        await probe.StopAsync();
        Assert.NotNull(outage);
        Assert.True(outage > TimeSpan.Zero);
        var attempts = probe.Attempts;
        Assert.All(attempts.Where(a => a.Succeeded), a => Assert.Equal("node1", a.Backend));
        Assert.True(attempts[^1].Succeeded, string.Join('\n', attempts));
        Assert.Equal(attempts.Count(a => !a.Succeeded), probe.Failures);
        TestContext.Current.TestOutputHelper?.WriteLine($"link down to connections succeeding again: {outage.Value.TotalMilliseconds:F0} ms over {attempts.Count} attempts, {probe.Failures} failed");
    }
}
