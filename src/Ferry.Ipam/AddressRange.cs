using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts.Addressing;

namespace Ferry.Ipam;

/// <summary>
/// A contiguous range of addresses of one family, inclusive at both ends, written as a CIDR
/// (<c>192.0.2.0/24</c>) or a range (<c>192.0.2.10-192.0.2.20</c>).
/// </summary>
public sealed record AddressRange
{
    private AddressRange(AddressFamily family, UInt128 first, UInt128 last, string text, bool isCidr)
    {
        Family = family;
        FirstNumber = first;
        LastNumber = last;
        Text = text;
        IsCidr = isCidr;
    }

    public AddressFamily Family { get; }

    /// <summary>The text it was parsed from, for messages.</summary>
    public string Text { get; }

    /// <summary>True when written as a CIDR: then its first and last IPv4 addresses are the network and broadcast addresses.</summary>
    public bool IsCidr { get; }

    internal UInt128 FirstNumber { get; }

    internal UInt128 LastNumber { get; }

    public IPAddress First => AddressMath.FromNumber(FirstNumber, Family);

    public IPAddress Last => AddressMath.FromNumber(LastNumber, Family);

    /// <summary>How many addresses it holds (saturates at <see cref="UInt128.MaxValue"/>).</summary>
    public UInt128 Size => LastNumber - FirstNumber == UInt128.MaxValue ? UInt128.MaxValue : LastNumber - FirstNumber + 1;

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Family)
        {
            return false;
        }

        var number = AddressMath.ToNumber(address);
        return number >= FirstNumber && number <= LastNumber;
    }

    public bool Overlaps(AddressRange other) =>
        other.Family == Family && other.FirstNumber <= LastNumber && FirstNumber <= other.LastNumber;

    /// <summary>
    /// Parses a CIDR or a <c>first-last</c> range (addresses as <see cref="NetworkText"/> reads them); returns
    /// false with a message on bad input.
    /// </summary>
    public static bool TryParse(string text, out AddressRange? range, out string? error)
    {
        range = null;
        var trimmed = text.Trim();
        if (trimmed.Contains('-', StringComparison.Ordinal))
        {
            if (!NetworkText.TryParseRange(trimmed, out var first, out var last))
            {
                error = $"invalid range \"{text}\": expected two IP addresses as \"first-last\"";
                return false;
            }

            if (first.AddressFamily != last.AddressFamily)
            {
                error = $"invalid range \"{text}\": both ends must be of the same IP family";
                return false;
            }

            var firstNumber = AddressMath.ToNumber(first);
            var lastNumber = AddressMath.ToNumber(last);
            if (firstNumber > lastNumber)
            {
                error = $"invalid range \"{text}\": the first address is after the last";
                return false;
            }

            range = new AddressRange(first.AddressFamily, firstNumber, lastNumber, trimmed, isCidr: false);
            error = null;
            return true;
        }

        // Host bits are masked off, like Go's net.ParseCIDR.
        if (!NetworkText.TryParseNetwork(trimmed, out var network))
        {
            error = $"invalid CIDR \"{text}\": expected an address and a prefix length such as 192.0.2.0/24";
            return false;
        }

        var family = network.BaseAddress.AddressFamily;
        var width = AddressMath.BitWidth(family);
        var baseNumber = AddressMath.ToNumber(network.BaseAddress);
        var hostBits = width - network.PrefixLength;
        var hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        range = new AddressRange(family, baseNumber, baseNumber | hostMask, trimmed, isCidr: true);
        error = null;
        return true;
    }

    public static AddressRange Parse(string text) =>
        TryParse(text, out var range, out var error) ? range! : throw new FormatException(error);

    public override string ToString() => Text;

    internal string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Text} ({Size} addresses)");
}
