using System.Net;
using Ferry.Contracts.Addressing;

namespace Ferry.Hosting;

/// <summary>The one reader of the listen addresses the commands take (<c>--listen</c>, <c>--api-listen</c>, <c>--admin-listen</c>).</summary>
public static class ListenAddress
{
    /// <summary>
    /// Parses <c>127.0.0.1:6443</c>, <c>[::1]:6443</c>, <c>0.0.0.0:0</c>, or a bare port
    /// (<c>6443</c>, <c>:6443</c>) meaning 127.0.0.1.
    /// </summary>
    /// <exception cref="FormatException">The text is not an address and port.</exception>
    public static IPEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NetworkText.TryParseEndpoint(text.Trim(), IPAddress.Loopback, out var endpoint))
        {
            return endpoint;
        }

        throw new FormatException("expected ADDRESS:PORT (e.g. 127.0.0.1:6443), got \"" + text + "\"");
    }
}
