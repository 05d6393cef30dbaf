namespace Ferry.Contracts;

/// <summary>
/// The names of <see cref="ProxyProtocolVersion"/> values, as the <c>ferry proxy</c> file's <c>proxyProtocol</c>
/// key and the <c>ferry.dev/proxy-protocol</c> annotation spell them.
/// </summary>
public static class ProxyProtocolVersionNames
{
    /// <summary>The table behind <see cref="All"/>, <see cref="ToName"/> and <see cref="TryParse"/>.</summary>
    public static EnumNames<ProxyProtocolVersion> Table { get; } = new(
        (ProxyProtocolVersion.None, "none"),
        (ProxyProtocolVersion.V1, "v1"),
        (ProxyProtocolVersion.V2, "v2"));

    /// <summary>Every valid name, in the order error messages list them.</summary>
    public static IReadOnlyList<string> All => Table.All;

    public static string ToName(ProxyProtocolVersion version) => Table.ToName(version);

    /// <summary>The version named by <paramref name="text"/>, ignoring case.</summary>
    public static bool TryParse(string? text, out ProxyProtocolVersion version) => Table.TryParse(text, out version);
}
