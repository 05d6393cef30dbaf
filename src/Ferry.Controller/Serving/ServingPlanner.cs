using System.Net;

namespace Ferry.Controller.Serving;

/// <summary>
/// Chooses one owner for every announced address among the live, eligible replicas. Pure and
/// deterministic: every replica computes the same plan from the same Services and the same live set,
/// so they agree without talking about it (MetalLB's layer-2 mode works the same way).
/// </summary>
/// <remarks>
/// An address shared by several Services (<c>ferry.dev/allow-shared-ip</c>) has one owner for all of
/// them. Its candidates are the replicas eligible for every one of them; when no replica is (two
/// <c>externalTrafficPolicy: Local</c> Services with endpoints on different nodes), those eligible for
/// any, so the address stays reachable; when none is eligible at all, nobody announces it.
/// </remarks>
public static class ServingPlanner
{
    /// <param name="services">The Services to serve, with their addresses.</param>
    /// <param name="announced">Which addresses are announced (the others are not in the plan).</param>
    /// <param name="live">The live replicas.</param>
    /// <param name="excluded">Replicas that may own nothing (their node carries <c>node.kubernetes.io/exclude-from-external-load-balancers</c>).</param>
    /// <param name="chooseOwner">Picks one of the candidates for a key, the same on every replica (rendezvous hashing).</param>
    public static ServingPlan Plan(
        IReadOnlyList<ServedService> services,
        AnnouncedAddresses announced,
        IReadOnlyCollection<string> live,
        IReadOnlySet<string> excluded,
        Func<string, IReadOnlyCollection<string>, string?> chooseOwner)
    {
        var byAddress = new Dictionary<IPAddress, List<ServedService>>();
        foreach (var service in services)
        {
            foreach (var address in service.Addresses.Distinct())
            {
                if (!announced.IsAnnounced(address))
                {
                    continue;
                }

                if (!byAddress.TryGetValue(address, out var list))
                {
                    byAddress[address] = list = [];
                }

                list.Add(service);
            }
        }

        var usable = live.Where(r => !excluded.Contains(r)).ToHashSet(StringComparer.Ordinal);
        var plan = new Dictionary<IPAddress, AddressAssignment>();
        foreach (var (address, sharing) in byAddress)
        {
            var candidates = Candidates(usable, sharing);
            var owner = candidates.Count == 0 ? null : chooseOwner(address.ToString(), candidates);
            plan[address] = new AddressAssignment(
                address,
                owner,
                [.. sharing.Select(s => s.Key).Distinct().OrderBy(k => k.ToString(), StringComparer.Ordinal)],
                announced.Find(address)!.Interfaces.AsImmutableArray());
        }

        return new ServingPlan(plan);
    }

    private static HashSet<string> Candidates(HashSet<string> usable, List<ServedService> sharing)
    {
        var every = new HashSet<string>(usable, StringComparer.Ordinal);
        var any = new HashSet<string>(StringComparer.Ordinal);
        var anyUnrestricted = false;
        foreach (var service in sharing)
        {
            if (service.EligibleReplicas is { } eligible)
            {
                every.IntersectWith(eligible);
                any.UnionWith(eligible.Where(usable.Contains));
            }
            else
            {
                anyUnrestricted = true;
            }
        }

        if (every.Count > 0)
        {
            return every;
        }

        return anyUnrestricted ? usable : any;
    }
}
