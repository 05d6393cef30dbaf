using System.Collections.Immutable;
using System.Net;
using Ferry.Contracts;

namespace Ferry.Controller.Serving;

/// <summary>One announced address: which replica owns it, for which Services, on which interfaces.</summary>
/// <param name="Owner">The replica that announces and serves it; null when no live replica is eligible.</param>
/// <param name="Interfaces">The pool's interfaces (empty: the claimer chooses).</param>
public sealed record AddressAssignment(IPAddress Address, string? Owner, ImmutableArray<ServiceKey> Services, ImmutableArray<string> Interfaces);
