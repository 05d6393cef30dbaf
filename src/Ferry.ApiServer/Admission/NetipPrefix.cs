using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Go's strict <c>netip.ParsePrefix</c>, as far as kube-apiserver's Service warnings need it: whether a CIDR text
/// parses, and Go's error text when it does not (e.g. a space-padded entry:
/// <c>netip.ParsePrefix(" 10.0.0.0/8"): ParseAddr(" 10.0.0.0"): unexpected character (at " 10.0.0.0")</c>).
/// IPv4 follows Go's parser exactly; IPv6 texts are checked by .NET, with Go's message for the common case of a
/// field without a digit (a leading space) and a generic one otherwise.
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
internal static class NetipPrefix
{
    /// <summary>Go's error for <paramref name="text"/>, or null when it parses; <paramref name="canonical"/> is then its canonical form.</summary>
    public static string? Error(string text, out string canonical)
    {
        canonical = text;
        var slash = text.LastIndexOf('/');
        if (slash < 0)
        {
            return Prefix(text, "no '/'");
        }

        var addressText = text[..slash];
        var addressError = ParseAddr(addressText, out var address);
        if (addressError is not null)
        {
            return Prefix(text, addressError);
        }

        var bitsText = text[(slash + 1)..];
        if ((bitsText.Length > 1 && bitsText[0] is < '1' or > '9')
            || !int.TryParse(bitsText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bits))
        {
            return Prefix(text, "bad bits after slash: " + FieldErrors.Quote(bitsText));
        }

        var maxBits = address!.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (bits < 0 || bits > maxBits)
        {
            return Prefix(text, "prefix length out of range");
        }

        canonical = address + "/" + bits.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private static string Prefix(string text, string message) => "netip.ParsePrefix(" + FieldErrors.Quote(text) + "): " + message;

    /// <summary>Go's <c>ParseAddr</c>: dispatch on the first of <c>.</c>, <c>:</c> or <c>%</c>.</summary>
    private static string? ParseAddr(string s, out IPAddress? address)
    {
        address = null;
        foreach (var c in s)
        {
            switch (c)
            {
                case '.':
                    return ParseIPv4(s, out address);
                case ':':
                    return ParseIPv6(s, out address);
                case '%':
                    return AddrError(s, "missing IPv6 address", null);
            }
        }

        return AddrError(s, "unable to parse IP", null);
    }

    private static string? ParseIPv4(string s, out IPAddress? address)
    {
        address = null;
        var fields = new byte[4];
        int val = 0, pos = 0, digits = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9')
            {
                if (digits == 1 && val == 0)
                {
                    return AddrError(s, "IPv4 field has octet with leading zero", null);
                }

                val = (val * 10) + (c - '0');
                digits++;
                if (val > 255)
                {
                    return AddrError(s, "IPv4 field has value >255", null);
                }
            }
            else if (c == '.')
            {
                if (i == 0 || i == s.Length - 1 || s[i - 1] == '.')
                {
                    return AddrError(s, "IPv4 field must have at least one digit", s[i..]);
                }

                if (pos == 3)
                {
                    return AddrError(s, "IPv4 address too long", null);
                }

                fields[pos++] = (byte)val;
                val = 0;
                digits = 0;
            }
            else
            {
                return AddrError(s, "unexpected character", s[i..]);
            }
        }

        if (pos < 3)
        {
            return AddrError(s, "IPv4 address too short", null);
        }

        fields[3] = (byte)val;
        address = new IPAddress(fields);
        return null;
    }

    private static string? ParseIPv6(string s, out IPAddress? address)
    {
        address = null;
        var body = s.StartsWith("::", StringComparison.Ordinal) ? s[2..] : s;
        if (body.Length > 0 && !Uri.IsHexDigit(body[0]))
        {
            return AddrError(s, "each colon-separated field must have at least one digit", body);
        }

        if (s.Contains('%', StringComparison.Ordinal) || s.Any(char.IsWhiteSpace)
            || !IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddrError(s, "unable to parse IP", null);
        }

        address = parsed;
        return null;
    }

    private static string AddrError(string s, string message, string? at) =>
        "ParseAddr(" + FieldErrors.Quote(s) + "): " + message + (string.IsNullOrEmpty(at) ? string.Empty : " (at " + FieldErrors.Quote(at) + ")");
}
