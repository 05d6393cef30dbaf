using System.Net;

namespace Ferry.Announcement.Interfaces;

/// <summary>A unicast address on an interface with its prefix length: the subnet the interface is on.</summary>
internal sealed record InterfaceAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>True when <paramref name="candidate"/> is in this address's subnet (same family, same first PrefixLength bits).</summary>
    public bool SubnetContains(IPAddress candidate)
    {
        if (candidate.AddressFamily != Address.AddressFamily)
        {
            return false;
        }

        var network = Address.GetAddressBytes();
        var other = candidate.GetAddressBytes();
        var bits = Math.Clamp(PrefixLength, 0, network.Length * 8);
        for (var i = 0; i < network.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((network[i] & mask) != (other[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
