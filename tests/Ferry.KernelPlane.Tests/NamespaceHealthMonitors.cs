using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Health;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.KernelPlane.Tests;

/// <summary>Real active health checks (TCP connect) whose probe sockets are made inside the balancer's namespace.</summary>
internal sealed class NamespaceHealthMonitors(LabNamespace balancer) : IHealthMonitorFactory
{
    public IHealthMonitor Create(HealthCheckSpec check, string listenerName) =>
        new ActiveHealthMonitor(check, listenerName, new Probe(balancer, check), TimeProvider.System, NullLogger.Instance);

    private sealed class Probe(LabNamespace balancer, HealthCheckSpec check) : IHealthProbe
    {
        public async Task<HealthProbeResult> ProbeAsync(BackendState backend, CancellationToken cancellationToken)
        {
            var target = new System.Net.IPEndPoint(backend.EndPoint.Address, check.Port ?? backend.EndPoint.Port);
            using var socket = NetnsLab.Run(balancer, () => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                await socket.ConnectAsync(target, cancellationToken);
                return HealthProbeResult.Healthy;
            }
            catch (SocketException e)
            {
                return HealthProbeResult.Unhealthy(e.SocketErrorCode.ToString());
            }
        }
    }
}

/// <summary>Health the test decides: each monitor only remembers its backends, for the test to report into.</summary>
internal sealed class ManualHealthMonitors : IHealthMonitorFactory
{
    public List<ManualMonitor> Created { get; } = [];

    public IHealthMonitor Create(HealthCheckSpec check, string listenerName)
    {
        var monitor = new ManualMonitor();
        Created.Add(monitor);
        return monitor;
    }

    internal sealed class ManualMonitor : IHealthMonitor
    {
        public IReadOnlyList<BackendState> Backends { get; private set; } = [];

        public void SetBackends(IReadOnlyList<BackendState> backends) => Backends = backends;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
