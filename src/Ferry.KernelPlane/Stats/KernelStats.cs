using System.Collections.Immutable;
using Ferry.Contracts;
using Ferry.DataPlane.Stats;
using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane.Stats;

/// <summary>
/// The kernel plane's counters on the data plane's stats records. The kernel reports per listener the connections and
/// flows it DNATed (Accepted) and the first packets it dropped by source range; per backend connections opened and
/// bytes both ways. It cannot report active connections, connect failures, clients turned away for lack of a backend,
/// resets or aborts (all zero), and its bytes are IP lengths, headers included.
/// </summary>
internal static class KernelStats
{
    public static LoadBalancerStats Of(KernelLoadBalancer lb, ImmutableList<DrainingTuple> draining, IReadOnlyDictionary<CounterKey, CounterValue> totals)
    {
        var key = lb.Spec.Key;
        var listeners = new List<ListenerStats>();
        foreach (var spec in lb.Spec.Listeners)
        {
            var listener = lb.Listeners[(spec.Protocol, spec.Port)];
            var snapshot = listener.Pool.Snapshot;
            long Sum(CounterKind kind, System.Net.IPEndPoint? backend) => lb.Spec.Addresses
                .Sum(a => totals.GetValueOrDefault(new CounterKey(key, spec.Protocol, spec.Port, a, backend, kind)).Packets);
            long Bytes(CounterKind kind, System.Net.IPEndPoint backend) => lb.Spec.Addresses
                .Sum(a => totals.GetValueOrDefault(new CounterKey(key, spec.Protocol, spec.Port, a, backend, kind)).Bytes);
            BackendStats Backend(BackendSpec backend, bool healthy, bool isDraining) => new(
                backend,
                healthy,
                isDraining,
                ActiveConnections: 0,
                TotalConnections: Sum(CounterKind.Opened, backend.EndPoint),
                BytesToBackend: Bytes(CounterKind.ToBackend, backend.EndPoint),
                BytesToClient: Bytes(CounterKind.ToClient, backend.EndPoint),
                ConnectFailures: 0);

            var current = KernelListener.SpecsOf(spec, listener.Pool.Backends).Zip(listener.Pool.Backends, (b, s) => Backend(b, s.IsHealthy, false));
            var drained = draining
                .Where(d => d.Key == key && d.Protocol == spec.Protocol && d.Port == spec.Port)
                .Select(d => d.Backend)
                .DistinctBy(b => b.EndPoint)
                .Select(b => Backend(b, false, true));
            var backends = current.Concat(drained).ToList();
            listeners.Add(new ListenerStats(
                spec.Protocol,
                spec.Port,
                [.. lb.Spec.Addresses.Select(a => new ListenerStatus(a, spec.Protocol, spec.Port, lb.Error is null, lb.Error))],
                snapshot.IsFailOpen,
                Accepted: Sum(CounterKind.Accepted, null),
                RefusedBySourceRange: Sum(CounterKind.RefusedBySourceRange, null),
                NoBackend: 0,
                ConnectFailures: 0,
                ActiveConnections: 0,
                TotalConnections: backends.Sum(b => b.TotalConnections),
                BytesToBackend: backends.Sum(b => b.BytesToBackend),
                BytesToClient: backends.Sum(b => b.BytesToClient),
                UdpFlowsDropped: 0,
                ConnectionsReset: 0,
                ConnectionsAborted: 0,
                backends));
        }

        return new LoadBalancerStats(key, listeners);
    }
}
