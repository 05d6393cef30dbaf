using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Balancing;
using Ferry.DataPlane.Health;
using Ferry.DataPlane.Stats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>A <see cref="DataPlaneProvider"/> on virtual time with the shipped policy and health factories.</summary>
internal sealed class DataPlaneHarness : IAsyncDisposable
{
    public DataPlaneHarness(DataPlaneOptions? options = null, IHealthMonitorFactory? healthMonitors = null, ILoadBalancingPolicyFactory? policies = null, ILoggerFactory? loggers = null)
    {
        Provider = new DataPlaneProvider(
            loggers ?? NullLoggerFactory.Instance,
            Time,
            policies ?? new LoadBalancingPolicyFactory(Time),
            healthMonitors ?? new ActiveHealthMonitorFactory(NullLoggerFactory.Instance, Time),
            meterFactory: null,
            options ?? new DataPlaneOptions());
    }

    public FakeTimeProvider Time { get; } = new();

    public DataPlaneProvider Provider { get; }

    public static LoadBalancerKey Key { get; } = new("default", "web");

    public static LoadBalancerSpec Spec(IPAddress address, params ListenerSpec[] listeners) => new()
    {
        Key = Key,
        Addresses = [address],
        Listeners = listeners,
    };

    public static ListenerSpec Tcp(int port, params IPEndPoint[] backends) => Listener(TransportProtocol.Tcp, port, backends);

    public static ListenerSpec Udp(int port, params IPEndPoint[] backends) => Listener(TransportProtocol.Udp, port, backends);

    public static ListenerSpec Listener(TransportProtocol protocol, int port, params IPEndPoint[] backends) => new()
    {
        Protocol = protocol,
        Port = port,
        Backends = backends.Select(b => new BackendSpec(b.Address, b.Port)).ToEquatableArray(),
    };

    /// <summary>
    /// Picks a free port on <paramref name="address"/> and ensures <see cref="Spec"/> with one TCP listener there;
    /// returns the port. <paramref name="configure"/> changes load-balancer-wide settings of the spec.
    /// </summary>
    public Task<int> EnsureTcpAsync(IPAddress address, IPEndPoint[] backends, CancellationToken cancellationToken, Func<LoadBalancerSpec, LoadBalancerSpec>? configure = null) =>
        EnsureOnFreePortAsync(address, TransportProtocol.Tcp, backends, configure, cancellationToken);

    /// <summary>As <see cref="EnsureTcpAsync"/>, with one UDP listener.</summary>
    public Task<int> EnsureUdpAsync(IPAddress address, IPEndPoint[] backends, CancellationToken cancellationToken, Func<LoadBalancerSpec, LoadBalancerSpec>? configure = null) =>
        EnsureOnFreePortAsync(address, TransportProtocol.Udp, backends, configure, cancellationToken);

    public ListenerStats Listener(TransportProtocol protocol, int port, LoadBalancerKey? key = null) =>
        Provider.GetStats(key ?? Key)!.Listeners.Single(l => l.Protocol == protocol && l.Port == port);

    /// <summary>Advances virtual time in sweep-sized steps, so each sweep sees the time pass.</summary>
    public void Advance(TimeSpan by)
    {
        var step = TimeSpan.FromSeconds(1);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            Time.Advance(step);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true (bounded); for counters updated on other threads.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return condition();
    }

    public ValueTask DisposeAsync() => Provider.DisposeAsync();

    private async Task<int> EnsureOnFreePortAsync(
        IPAddress address, TransportProtocol protocol, IPEndPoint[] backends, Func<LoadBalancerSpec, LoadBalancerSpec>? configure, CancellationToken cancellationToken)
    {
        var port = Loopback.FreePort(address);
        var spec = Spec(address, Listener(protocol, port, backends));
        await Provider.EnsureAsync(configure is null ? spec : configure(spec), cancellationToken);
        return port;
    }
}
