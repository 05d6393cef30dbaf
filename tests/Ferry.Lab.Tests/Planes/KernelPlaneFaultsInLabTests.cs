using System.Net;

namespace Ferry.Lab.Tests.Planes;

/// <summary>The kernel plane's forwarding outlives its process: <c>kill -9</c> leaves it, the next start adopts it, a clean stop removes it.</summary>
[Collection(OneLabAtATime.Name)]
public sealed class KernelPlaneFaultsInLabTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill9_LeavesTrafficFlowing_TheNextStartAdoptsWithoutABlip_ASigtermRemovesTheTable()
    {
        await using var rig = await PlaneLab.CreateAsync("kernel");
        var backend = rig.InBackends(ns => new GreetingBackend(new IPEndPoint(ns.IPv4, 8081), "b1"));
        await rig.StartFerryAsync($$"""
            loadBalancers:
              - name: web
                addresses: [203.0.113.10]
                listeners:
                  - { protocol: TCP, port: 80, backends: [{{PlaneLab.Backend(backend.EndPoint)}}] }
            """);
        var vip = new IPEndPoint(PlaneLab.Vip4, 80);
        Assert.Equal("b1", await rig.ReadAsync(vip));

        await rig.Ferry.KillAsync(LabSignal.Kill, cancellationToken: Ct);

        // No process, and the kernel still forwards.
        Assert.Equal("b1", await rig.ReadAsync(vip));

        // A new process adopts the table: connections made all through its start succeed.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var failures = 0;
        var attempts = 0;
        var probe = Task.Run(
            async () =>
            {
                while (!probing.IsCancellationRequested)
                {
                    attempts++;
                    failures += await rig.ReadAsync(vip, timeout: TimeSpan.FromSeconds(2)) == "b1" ? 0 : 1;
                    await Task.Delay(20, CancellationToken.None);
                }
            },
            CancellationToken.None);
        await rig.StartFerryAsync();
        await Task.Delay(500, Ct);
        await probing.CancelAsync();
        await probe;
        Assert.True(attempts > 5, $"only {attempts} attempts");
        Assert.Equal(0, failures);
        Assert.Contains("adopted 1 rules of 1 load balancers", rig.Ferry.Output, StringComparison.Ordinal);

        // A clean stop takes Ferry's table away, and with it the forwarding.
        Assert.Equal(0, await rig.Ferry.KillAsync(LabSignal.Terminate, TimeSpan.FromSeconds(30), Ct));
        var tables = NetnsLab.Run(rig.Balancer, () =>
        {
            using var session = KernelPlane.NftablesSession.Open();
            return session.Run("list tables");
        });
        Assert.DoesNotContain("ferry", tables, StringComparison.Ordinal);
        Assert.Null(await rig.ReadAsync(vip, timeout: TimeSpan.FromSeconds(2)));
    }
}
