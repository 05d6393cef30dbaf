using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;

namespace Ferry.Controller.Serving;

/// <summary>A Service as the ownership plan sees it: its assigned addresses and where it may be served.</summary>
/// <param name="Key">The Service.</param>
/// <param name="Addresses">Its addresses from <c>status.loadBalancer.ingress</c>.</param>
/// <param name="EligibleReplicas">
/// The replicas that may own its addresses (<c>externalTrafficPolicy: Local</c>: those on nodes with
/// ready local endpoints); null means every live replica.
/// </param>
public sealed record ServedService(ServiceKey Key, ImmutableArray<IPAddress> Addresses, IReadOnlySet<string>? EligibleReplicas);
