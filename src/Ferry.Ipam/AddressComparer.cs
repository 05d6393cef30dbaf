using System.Net;

namespace Ferry.Ipam;

/// <summary>Orders addresses IPv4 first, then numerically, so choices are deterministic.</summary>
internal sealed class AddressComparer : IComparer<IPAddress>
{
    public static readonly AddressComparer Instance = new();

    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var byFamily = x.AddressFamily.CompareTo(y.AddressFamily);
        return byFamily != 0 ? byFamily : AddressMath.ToNumber(x).CompareTo(AddressMath.ToNumber(y));
    }
}
