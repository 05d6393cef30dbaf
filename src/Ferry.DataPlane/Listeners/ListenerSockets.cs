using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Flows;
using Ferry.DataPlane.Forwarding;

namespace Ferry.DataPlane.Listeners;

/// <summary>
/// The listening sockets of one listener, one per address: binds new addresses, retries failed binds,
/// and retires the sockets of removed addresses (stop accepting, then close their flows at the drain deadline).
/// </summary>
internal sealed class ListenerSockets(IListenerView listener, FlowTable flows, TransportProtocol protocol, int port, int listenBacklog)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, IListenerHost> _hosts = [];
    private readonly List<(IListenerHost Host, long Since, TimeSpan Timeout)> _retiring = [];
    private readonly IListenerView _listener = listener;
    private readonly FlowTable _flows = flows;
    private readonly TransportProtocol _protocol = protocol;
    private readonly int _port = port;
    private readonly int _listenBacklog = listenBacklog;

    /// <summary>True while a retired socket's drain deadline has not passed.</summary>
    public bool IsDraining
    {
        get
        {
            lock (_lock)
            {
                return _retiring.Count > 0;
            }
        }
    }

    /// <summary>Opens sockets on new addresses, closes (and drains) those no longer listed, retries failed binds.</summary>
    public void SetAddresses(IReadOnlyList<IPAddress> addresses, long now, TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            foreach (var (address, host) in _hosts.ToArray())
            {
                if (!addresses.Contains(address))
                {
                    _hosts.Remove(address);
                    Retire(host, now, drainTimeout);
                }
            }

            foreach (var address in addresses)
            {
                if (!_hosts.TryGetValue(address, out var host))
                {
                    var endPoint = new IPEndPoint(address, _port);
                    host = _protocol == TransportProtocol.Tcp ? new TcpListenerHost(_listener, endPoint, _listenBacklog) : new UdpListenerHost(_listener, endPoint);
                    _hosts.Add(address, host);
                }

                if (!host.Status.IsServing)
                {
                    host.Start();
                }
            }
        }
    }

    public ListenerStatus? GetStatus(IPAddress address)
    {
        lock (_lock)
        {
            return _hosts.TryGetValue(address, out var host) ? host.Status : null;
        }
    }

    /// <summary>One entry per address: serving or why not.</summary>
    public ListenerStatus[] GetStatuses()
    {
        lock (_lock)
        {
            return [.. _hosts.Values.Select(h => h.Status)];
        }
    }

    /// <summary>The listener was removed: stop accepting everywhere and let connections drain.</summary>
    public void RetireAll(long now, TimeSpan drainTimeout)
    {
        lock (_lock)
        {
            foreach (var host in _hosts.Values)
            {
                Retire(host, now, drainTimeout);
            }

            _hosts.Clear();
        }
    }

    /// <summary>Closes the flows of retired sockets whose drain deadline has passed.</summary>
    public void SweepDrains(long now)
    {
        lock (_lock)
        {
            for (var i = _retiring.Count - 1; i >= 0; i--)
            {
                var (host, since, timeout) = _retiring[i];
                var remaining = _flows.AbortIfDue(f => f.EntryPoint == host, since, timeout, now);
                if (remaining >= 0)
                {
                    ListenerLog.ListenerDrained(_listener.Context.Logger, _listener.Name, host.EndPoint, remaining);
                    _retiring.RemoveAt(i);
                }
            }
        }
    }

    private void Retire(IListenerHost host, long now, TimeSpan drainTimeout)
    {
        host.Stop();
        _retiring.Add((host, now, drainTimeout));
    }
}
