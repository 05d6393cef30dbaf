using System.Net;
using Ferry.Contracts;

namespace Ferry.Controller.Serving;

/// <summary>
/// The health check of this replica's own node for the <c>externalTrafficPolicy: Local</c> Services whose
/// traffic goes to the nodes' NodePorts (<c>--targets nodes</c>): kube-proxy answers 200 on the Service's
/// <c>healthCheckNodePort</c> only on a node with a ready local endpoint, so that answer, not the
/// EndpointSlices alone, decides whether this node may own the Service's address. Each replica checks only
/// its own node and tells the others through the membership (<see cref="IReplicaMembership.SetWithdrawn"/>).
/// </summary>
public interface INodeLocalChecks
{
    /// <summary>Sets what to check: per Service, this node's address and the Service's health check port. Checks of Services not listed stop.</summary>
    void SetTargets(IReadOnlyDictionary<ServiceKey, IPEndPoint> targets);

    /// <summary>True once the Service's check on this node has passed and until it fails (false before the first answer).</summary>
    bool Passes(ServiceKey key);

    /// <summary>Raised when a check's verdict changes; handlers must not block.</summary>
    event Action? Changed;
}
