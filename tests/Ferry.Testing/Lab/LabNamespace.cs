using System.Net;
using System.Net.NetworkInformation;

namespace Ferry.Testing.Lab;

/// <summary>One namespace attached to the lab's LAN by a veth pair.</summary>
/// <param name="Name">The network namespace's name (<c>ip netns</c>), e.g. <c>fl1234x0a1b-node1</c>.</param>
/// <param name="Role">What it stands for: <c>api</c>, <c>client</c>, <c>node1</c>, ... (also the Kubernetes Node name of a node).</param>
/// <param name="InterfaceName">Its LAN interface, inside it (<c>eth0</c>).</param>
/// <param name="LanPort">The veth's other end on the lan namespace's bridge; <see cref="NetnsLab.SetLinkDownAsync"/> acts on it.</param>
/// <param name="IPv4">Its address in 192.0.2.0/24.</param>
/// <param name="IPv6">Its address in 2001:db8::/64 (added with <c>nodad</c>, usable at once).</param>
/// <param name="Mac">The MAC of <paramref name="InterfaceName"/>.</param>
public sealed record LabNamespace(string Name, string Role, string InterfaceName, string LanPort, IPAddress IPv4, IPAddress IPv6, PhysicalAddress Mac)
{
    /// <summary>The MAC as <c>ip</c> and arping write it, lower case with colons (e.g. <c>a6:2c:77:2a:b0:e1</c>).</summary>
    public string MacText => LinkLayerText.Format(Mac);

    public override string ToString() => $"{Role} ({Name}, {IPv4}, {IPv6}, {MacText})";
}
