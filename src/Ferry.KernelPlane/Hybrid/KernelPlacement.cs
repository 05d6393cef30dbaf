using System.Net.Sockets;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Hybrid;

/// <summary>
/// Which plane serves a listener when both run (docs/kernel-data-plane.md, "Which plane serves what"): the
/// kernel unless the listener needs what only the userspace plane does. Pure.
/// </summary>
public static class KernelPlacement
{
    /// <summary>Why the listener stays in userspace, or null when the kernel can serve it.</summary>
    public static string? UserspaceReason(LoadBalancerSpec spec, ListenerSpec listener)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(listener);
        if (spec.Settings.ProxyProtocol != ProxyProtocolVersion.None)
        {
            return "PROXY protocol";
        }

        // The kernel has no per-backend connection counts to choose by; round robin would silently replace the choice.
        if (spec.Settings.SessionAffinity is null && spec.Settings.Algorithm is BalancingAlgorithm.LeastConnections or BalancingAlgorithm.PowerOfTwo)
        {
            return spec.Settings.Algorithm == BalancingAlgorithm.LeastConnections ? "least connections" : "power of two choices";
        }

        // DNAT keeps the family: an address whose family no backend has can only be bridged by a proxy.
        var backendFamilies = listener.Backends.Select(b => b.Address.AddressFamily).ToHashSet();
        if (backendFamilies.Count > 0 && spec.Addresses.Any(a => !backendFamilies.Contains(a.AddressFamily)))
        {
            return spec.Addresses.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6) && !backendFamilies.Contains(AddressFamily.InterNetworkV6)
                ? "IPv6 address, IPv4 backends"
                : "IPv4 address, IPv6 backends";
        }

        return null;
    }

    /// <summary>
    /// Splits <paramref name="spec"/> into the part the kernel serves and the part userspace serves (either may have
    /// no listener), with each listener's <see cref="UserspaceReason"/> in the spec's order.
    /// </summary>
    public static (LoadBalancerSpec Kernel, LoadBalancerSpec Userspace, IReadOnlyList<string?> Reasons) Split(LoadBalancerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var reasons = spec.Listeners.Select(l => UserspaceReason(spec, l)).ToList();
        var kernel = spec.Listeners.Where((_, i) => reasons[i] is null).ToList();
        var userspace = spec.Listeners.Where((_, i) => reasons[i] is not null).ToList();
        return (spec with { Listeners = [.. kernel] }, spec with { Listeners = [.. userspace] }, reasons);
    }
}
