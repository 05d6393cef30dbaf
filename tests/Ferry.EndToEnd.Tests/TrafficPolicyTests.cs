using System.Net;
using Ferry.Controller;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// <c>loadBalancerSourceRanges</c> (field and legacy annotation, docs/upstream-semantics.md, "Service fields Ferry reads") and
/// <c>sessionAffinity: ClientIP</c>, with real clients bound to chosen loopback source addresses.
/// </summary>
public class TrafficPolicyTests
{
    [Fact]
    public async Task SourceRanges_AllowedSourceServed_OtherRefused_UpdateTakesEffect()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        var allowedPrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        var otherPrefix = Addresses.RandomPrefix(fixture.PoolPrefix, allowedPrefix);
        var allowed = Addresses.In(allowedPrefix, 5);
        var outside = Addresses.In(otherPrefix, 5);
        await using var backend = new GreetingBackend("hello");
        await api.CreateServiceAsync("web", 8080, s => s.Spec.LoadBalancerSourceRanges = [allowedPrefix + "0/24", "192.0.2.0/24"]);
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await api.WaitForIpAsync("web")), 8080);

        Assert.True(await ClusterApi.EventuallyAsync(async () => await Traffic.ReadAsync(vip, allowed) == "hello", TimeSpan.FromSeconds(5)));
        Assert.All(await Traffic.SampleAsync(vip, 3, outside), a => Assert.True(a is null or "", $"client {outside} was served: {a}"));

        // The field is a sync trigger: widening it lets the other client in, without a new IP.
        await api.PatchServiceAsync("web", $$$"""{"spec":{"loadBalancerSourceRanges":["{{{allowedPrefix}}}0/24","{{{otherPrefix}}}0/24"]}}""");
        Assert.True(await ClusterApi.EventuallyAsync(async () => await Traffic.ReadAsync(vip, outside) == "hello", TimeSpan.FromSeconds(5)));
        Assert.Equal("hello", await Traffic.ReadAsync(vip, allowed));
        Assert.Equal(vip.Address.ToString(), ClusterApi.IngressIp(await api.GetServiceAsync("web")));
    }

    [Fact]
    public async Task LegacySourceRangeAnnotationWithSpaces_Enforced()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        var allowedPrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        var otherPrefix = Addresses.RandomPrefix(fixture.PoolPrefix, allowedPrefix);
        await using var backend = new GreetingBackend("hello");
        await api.CreateServiceAsync("web", 8080, s => s.Metadata.Annotations[FerryAnnotations.LegacySourceRanges] = $" {allowedPrefix}0/24 , 198.51.100.0/24 ");
        await api.CreateEndpointSlicesAsync("web", backend.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await api.WaitForIpAsync("web")), 8080);

        Assert.True(await ClusterApi.EventuallyAsync(async () => await Traffic.ReadAsync(vip, Addresses.In(allowedPrefix, 9)) == "hello", TimeSpan.FromSeconds(5)));
        var refused = await Traffic.ReadAsync(vip, Addresses.In(otherPrefix, 9));
        Assert.True(refused is null or "", $"client outside the annotation's ranges was served: {refused}");
        Assert.DoesNotContain(await api.EventsAsync("web"), e => e.Contains("SyncLoadBalancerFailed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SessionAffinityClientIp_SameClientKeepsItsBackend_ClientsSpreadOverBoth()
    {
        await using var fixture = await LocalFerryFixture.StartAsync();
        var api = new ClusterApi(fixture.Client);
        await using var one = new GreetingBackend("one");
        await using var two = new GreetingBackend("two");
        await api.CreateServiceAsync("web", 8080, s => s.Spec.SessionAffinity = "ClientIP");
        await api.CreateEndpointSlicesAsync("web", one.EndPoint, two.EndPoint);
        var vip = new IPEndPoint(IPAddress.Parse(await api.WaitForIpAsync("web")), 8080);

        // Both endpoints are programmed before we measure (unbound clients spread over both).
        var clientPrefix = Addresses.RandomPrefix(fixture.PoolPrefix);
        Assert.True(await ClusterApi.EventuallyAsync(
            async () => (await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Traffic.ReadAsync(vip, Addresses.In(clientPrefix, 200 + i))))).Distinct().Count() == 2,
            TimeSpan.FromSeconds(5)));

        var chosen = new Dictionary<int, string?>();
        for (var client = 1; client <= 16; client++)
        {
            var answers = await Traffic.SampleAsync(vip, 8, Addresses.In(clientPrefix, client));
            Assert.True(answers.Distinct().Count() == 1 && answers[0] is "one" or "two", $"client {client}: {Traffic.Show(answers)}");
            chosen[client] = answers[0];
        }

        // Affinity is per client, not one backend for everybody (16 clients on one backend: p = 2^-15).
        Assert.Equal(2, chosen.Values.Distinct().Count());
    }
}
