using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ferry.Contracts.Addressing;

/// <summary>
/// The one parser for IP addresses, CIDRs, address ranges and <c>address:port</c> as users and
/// Kubernetes objects write them. Pure and thread-safe.
/// </summary>
/// <remarks>
/// Strict in the spirit of Go's <c>net.ParseIP</c>, as the Kubernetes API server validates addresses:
/// IPv4 only as four decimal parts (no shorthand like <c>127.1</c>, no octal or hex parts; a leading
/// zero is read as decimal, as Kubernetes' <c>ParseIPSloppy</c> does), IPv6 without a zone ID, no host
/// names, no surrounding spaces. .NET's <see cref="IPAddress.TryParse(string, out IPAddress)"/>,
/// <see cref="IPNetwork.TryParse(string, out IPNetwork)"/> and <see cref="IPEndPoint.TryParse(string, out IPEndPoint)"/>
/// accept all of those, so no caller uses them on text from outside.
/// </remarks>
public static class NetworkText
{
    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public static int MaxPrefixLength(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>An IPv4 address of four decimal parts or an IPv6 address without a zone.</summary>
    public static bool TryParseAddress([NotNullWhen(true)] string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = v6;
                return true;
            }

            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (!TryParseSmallNumber(parts[i], 255, out var value))
            {
                return false;
            }

            bytes[i] = (byte)value;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>A prefix length of one to three decimal digits, at most <see cref="MaxPrefixLength"/> of the family.</summary>
    public static bool TryParsePrefixLength(ReadOnlySpan<char> text, AddressFamily family, out int prefixLength) =>
        TryParseSmallNumber(text, MaxPrefixLength(family), out prefixLength);

    /// <summary>
    /// <c>address/prefix</c>, both strict; the address is returned as written, host bits included
    /// (Kubernetes' validation accepts them; <see cref="TryParseNetwork"/> masks them off).
    /// </summary>
    public static bool TryParseCidr([NotNullWhen(true)] string? text, out IPAddress address, out int prefixLength)
    {
        address = IPAddress.None;
        prefixLength = 0;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0 || !TryParseAddress(text![..slash], out var parsed)
            || !TryParsePrefixLength(text.AsSpan(slash + 1), parsed.AddressFamily, out prefixLength))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>A CIDR as a network, host bits masked off, like Go's <c>net.ParseCIDR</c>.</summary>
    public static bool TryParseNetwork([NotNullWhen(true)] string? text, out IPNetwork network)
    {
        network = default;
        if (!TryParseCidr(text, out var address, out var prefixLength))
        {
            return false;
        }

        network = ToNetwork(address, prefixLength);
        return true;
    }

    /// <summary>The network of <paramref name="prefixLength"/> bits that holds <paramref name="address"/>.</summary>
    public static IPNetwork ToNetwork(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, MaxPrefixLength(address.AddressFamily));
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }

    /// <summary>
    /// <c>first-last</c>: two strict addresses around a dash, spaces around either allowed. Whether they are of
    /// one family and in order is the caller's to check (it words those errors).
    /// </summary>
    public static bool TryParseRange([NotNullWhen(true)] string? text, out IPAddress first, out IPAddress last)
    {
        first = last = IPAddress.None;
        var dash = text?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (dash < 0 || !TryParseAddress(text![..dash].Trim(), out var parsedFirst) || !TryParseAddress(text[(dash + 1)..].Trim(), out var parsedLast))
        {
            return false;
        }

        (first, last) = (parsedFirst, parsedLast);
        return true;
    }

    /// <summary>
    /// <c>address:port</c> (<c>127.0.0.1:6443</c>, <c>[::1]:6443</c>); with <paramref name="defaultAddress"/>,
    /// also a bare port (<c>6443</c> or <c>:6443</c>) on that address. Port 0 is allowed (a free port).
    /// </summary>
    public static bool TryParseEndpoint([NotNullWhen(true)] string? text, IPAddress? defaultAddress, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int port;
        if (defaultAddress is not null)
        {
            var portText = text.StartsWith(':') ? text.AsSpan(1) : text.AsSpan();
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= IPEndPoint.MaxPort)
            {
                endpoint = new IPEndPoint(defaultAddress, port);
                return true;
            }
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        var host = text[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (!TryParseAddress(bracketed ? host[1..^1] : host, out var address)
            || (address.AddressFamily == AddressFamily.InterNetworkV6) != bracketed)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>One to three decimal digits, at most <paramref name="max"/>.</summary>
    private static bool TryParseSmallNumber(ReadOnlySpan<char> text, int max, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= 3
            && !text.ContainsAnyExceptInRange('0', '9')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value <= max;
    }
}
