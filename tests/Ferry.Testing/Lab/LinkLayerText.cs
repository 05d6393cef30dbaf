using System.Net.NetworkInformation;

namespace Ferry.Testing.Lab;

/// <summary>MAC addresses as the tools print them (<c>a6:2c:77:2a:b0:e1</c>).</summary>
public static class LinkLayerText
{
    /// <summary>Lower case, colon separated.</summary>
    public static string Format(PhysicalAddress mac)
    {
        ArgumentNullException.ThrowIfNull(mac);
        return string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Parses <c>AA:BB:CC:DD:EE:FF</c> in either case.</summary>
    public static PhysicalAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return PhysicalAddress.Parse(text.Trim().ToUpperInvariant().Replace(':', '-'));
    }
}
