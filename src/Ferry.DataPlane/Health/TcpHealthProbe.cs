using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Health;

/// <summary>Healthy when a TCP connect to the backend (or the check's port) succeeds.</summary>
public sealed class TcpHealthProbe : IHealthProbe
{
    private readonly HealthCheckSpec _check;

    public TcpHealthProbe(HealthCheckSpec check) => _check = check;

    public async Task<HealthProbeResult> ProbeAsync(BackendState backend, CancellationToken cancellationToken)
    {
        var (socket, failure) = await ProbeTarget.ConnectAsync(ProbeTarget.EndPointOf(_check, backend), cancellationToken);
        if (socket is null)
        {
            return HealthProbeResult.Unhealthy(failure!);
        }

        using (socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // The peer may already have closed; the connect is what counted.
            }
        }

        return HealthProbeResult.Healthy;
    }
}
