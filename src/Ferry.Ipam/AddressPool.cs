using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace Ferry.Ipam;

/// <summary>
/// A named set of address ranges Services may get external IPs from.
/// </summary>
/// <param name="Name">The pool's name (<c>ferry.dev/address-pool</c> selects it).</param>
/// <param name="Ranges">IPv4 and IPv6 CIDRs or ranges.</param>
/// <param name="Namespaces">Namespaces allowed to use the pool; empty means all.</param>
/// <param name="AutoAssign">Whether Services that name no pool may get addresses from it.</param>
/// <param name="IncludeNetworkAndBroadcast">
/// Give out the first and last address of IPv4 CIDRs too; off by default because some clients and
/// routers treat them as network and broadcast addresses.
/// </param>
/// <param name="AvoidBuggyIps">
/// Never give out an IPv4 address ending in <c>.0</c> or <c>.255</c>, wherever it lies in the ranges (MetalLB's
/// <c>avoidBuggyIPs</c>: some clients treat them as network or broadcast addresses even inside a larger subnet).
/// </param>
public sealed record AddressPool(
    string Name,
    ImmutableArray<AddressRange> Ranges,
    ImmutableArray<string> Namespaces = default,
    bool AutoAssign = true,
    bool IncludeNetworkAndBroadcast = false,
    bool AvoidBuggyIps = false)
{
    public bool AllowsNamespace(string @namespace) => Namespaces.IsDefaultOrEmpty || Namespaces.Contains(@namespace);

    public bool HasFamily(AddressFamily family) => Ranges.Any(r => r.Family == family);

    /// <summary>How many addresses the pool can hand out (its ranges' sizes, less the network and broadcast addresses of IPv4 CIDRs unless included); saturates at <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Capacity
    {
        get
        {
            UInt128 total = 0;
            foreach (var range in Ranges)
            {
                var size = range.Size;
                if (AvoidBuggyIps && range.Family == AddressFamily.InterNetwork)
                {
                    size -= BuggyAddressesIn(range.FirstNumber, range.LastNumber);
                }
                else if (!IncludeNetworkAndBroadcast && range.IsCidr && range.Family == AddressFamily.InterNetwork && size > 2)
                {
                    size -= 2;
                }

                total = UInt128.MaxValue - total < size ? UInt128.MaxValue : total + size;
            }

            return total;
        }
    }

    /// <summary>True when the address is in the pool and may be handed out.</summary>
    public bool CanAssign(IPAddress address) => Ranges.Any(r => r.Contains(address) && IsAssignable(r, AddressMath.ToNumber(address)));

    internal bool IsAssignable(AddressRange range, UInt128 number) =>
        (!AvoidBuggyIps || range.Family != AddressFamily.InterNetwork || (number % 256 != 0 && number % 256 != 255))
        && (AvoidBuggyIps || IncludeNetworkAndBroadcast || !range.IsCidr || range.Family != AddressFamily.InterNetwork || range.Size <= 2
            || (number != range.FirstNumber && number != range.LastNumber));

    /// <summary>How many numbers in [first, last] end in .0 or .255 (their remainder by 256 is 0 or 255).</summary>
    private static UInt128 BuggyAddressesIn(UInt128 first, UInt128 last)
    {
        static UInt128 UpTo(UInt128 n, UInt128 remainder) => n < remainder ? 0 : ((n - remainder) / 256) + 1; // in [0, n]
        UInt128 Count(UInt128 remainder) => UpTo(last, remainder) - (first == 0 ? 0 : UpTo(first - 1, remainder));
        return Count(0) + Count(255);
    }
}
