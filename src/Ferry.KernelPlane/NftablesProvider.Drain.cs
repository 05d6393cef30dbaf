using System.Net;
using Ferry.KernelPlane.Conntrack;

namespace Ferry.KernelPlane;

/// <summary>Drain ends: the connections of removed backends are cut by deleting their conntrack entries.</summary>
public sealed partial class NftablesProvider
{
    private void OnDrainTimer()
    {
        if (Volatile.Read(ref _disposed) != 0 || _draining.IsEmpty || Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        _drainSweep = SweepDrainsAsync(_shutdown.Token);
    }

    /// <summary>Ends the drains that are due: out of the table's counters, then their connections cut.</summary>
    internal async Task SweepDrainsAsync(CancellationToken cancellationToken)
    {
        try
        {
            List<DrainingTuple> due;
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var now = _time.GetTimestamp();
                due = [.. _draining.Where(d => d.Due(_time, now))];
                if (due.Count == 0)
                {
                    return;
                }

                var draining = _draining.RemoveRange(due);
                try
                {
                    Program(Content(_loadBalancers, draining, _adopted, null));
                }
                catch (NftablesException e)
                {
                    NftablesLog.ReapplyFailed(_logger, e.Message);
                }

                _draining = draining;
            }
            finally
            {
                _gate.Release();
            }

            // Netlink I/O off the gate: changes need not wait for it.
            await Task.Run(() => DeleteConntrack(due), cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void DeleteConntrack(IReadOnlyList<DrainingTuple> due)
    {
        try
        {
            using var conntrack = _openConntrack();
            foreach (var tuple in due)
            {
                var deleted = conntrack.DeleteNatted(tuple.Protocol, new IPEndPoint(tuple.Address, tuple.Port), tuple.Backend.EndPoint);
                NftablesLog.Drained(_logger, tuple.Backend.ToString(), $"{tuple.Key} {tuple.Address}:{tuple.Port}/{tuple.Protocol.ToString().ToUpperInvariant()}", deleted);
            }
        }
        catch (ConntrackException e)
        {
            NftablesLog.ConntrackFailed(_logger, e.Message);
        }
    }
}
