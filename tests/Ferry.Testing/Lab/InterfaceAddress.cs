using System.Net;

namespace Ferry.Testing.Lab;

/// <summary>An address on an interface (<c>ip -j addr show</c>), with its prefix length and scope (global, link, host).</summary>
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength, string Scope)
{
    public override string ToString() => $"{Address}/{PrefixLength} scope {Scope}";
}
