using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;
using Ferry.Controller.Translation;
using k8s.Models;

namespace Ferry.Controller.Serving;

/// <summary>Who may own a Service's addresses: <c>externalTrafficPolicy: Local</c> by the EndpointSlices and, to NodePorts, by each node's own health check.</summary>
public sealed partial class ServingController
{
    /// <summary>
    /// The replicas that may own the Service's addresses: with <c>externalTrafficPolicy: Local</c> only
    /// those on nodes with a ready endpoint of it (no second hop, the client address kept), and when the
    /// traffic goes to the nodes' NodePorts, only those whose node health check passes (this replica's
    /// own check, the others' withdrawals through the membership); else any.
    /// </summary>
    private HashSet<string>? EligibleFor(ServiceKey key, V1Service service, Dictionary<ServiceKey, HashSet<string>> localNodes, HashSet<ServiceKey> checkedHere)
    {
        if (!IsLocalPolicy(service))
        {
            return null;
        }

        var eligible = localNodes.TryGetValue(key, out var nodes) ? new HashSet<string>(nodes, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        if (UsesNodeHealthCheck(service))
        {
            var self = _membership.Self;
            var text = key.ToString();
            eligible.RemoveWhere(replica => replica == self
                ? !checkedHere.Contains(key) || !_localChecks!.Passes(key)
                : _membership.Withdraws(replica, text));
        }

        return eligible;
    }

    /// <summary>For each <c>externalTrafficPolicy: Local</c> Service, the nodes with a ready endpoint of it: one pass over the EndpointSlices per plan.</summary>
    private Dictionary<ServiceKey, HashSet<string>> LocalEndpointNodes(IEnumerable<ServiceKey> localServices)
    {
        var nodes = localServices.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var slice in _slices.List())
        {
            if (ServiceKeys.OwnerOf(slice) is { } owner && nodes.TryGetValue(owner, out var set))
            {
                set.UnionWith((slice.Endpoints ?? [])
                    .Where(e => e.Conditions?.Ready != false && e.NodeName is { Length: > 0 })
                    .Select(e => e.NodeName!));
            }
        }

        return nodes;
    }

    private static bool IsLocalPolicy(V1Service service) =>
        string.Equals(service.Spec?.ExternalTrafficPolicy, "Local", StringComparison.Ordinal);

    /// <summary>With <c>externalTrafficPolicy: Local</c> and the traffic to NodePorts, kube-proxy's healthCheckNodePort says where the Service may be owned.</summary>
    private bool UsesNodeHealthCheck(V1Service service) =>
        _localChecks is not null && IsLocalPolicy(service) && service.Spec?.HealthCheckNodePort is > 0
        && _translator.TargetsFor(service) == TargetMode.Nodes;

    /// <summary>
    /// Points this node's health checks at the Services that need them (those with a ready endpoint here
    /// by the EndpointSlices: elsewhere the node is not eligible anyway) and notes which of them do not pass
    /// (<see cref="PublishWithdrawn"/> tells the peers). Returns the Services checked here.
    /// </summary>
    private HashSet<ServiceKey> CheckLocalTraffic(
        Dictionary<ServiceKey, (V1Service Service, ImmutableArray<IPAddress> Addresses)> services,
        Dictionary<ServiceKey, HashSet<string>> localNodes,
        IReadOnlyList<V1Node> nodes,
        string self)
    {
        if (_localChecks is null)
        {
            return [];
        }

        var nodeAddress = nodes.FirstOrDefault(n => n.Metadata?.Name == self) is { } node ? ServiceTranslator.NodeAddress(node) : null;
        var targets = new Dictionary<ServiceKey, IPEndPoint>();
        if (nodeAddress is not null)
        {
            foreach (var (key, (service, _)) in services)
            {
                if (UsesNodeHealthCheck(service) && localNodes.TryGetValue(key, out var here) && here.Contains(self))
                {
                    targets[key] = new IPEndPoint(nodeAddress, service.Spec!.HealthCheckNodePort!.Value);
                }
            }
        }

        _localChecks.SetTargets(targets);
        var failing = targets.Keys.Where(k => !_localChecks.Passes(k)).Select(k => k.ToString()).Order(StringComparer.Ordinal).ToList();
        if (!failing.SequenceEqual(_failingHere, StringComparer.Ordinal))
        {
            Log.Withdrawn(_logger, self, failing);
            _failingHere = failing;
        }

        return [.. targets.Keys];
    }
}
