namespace Ferry.KernelPlane;

/// <summary>Whether the kernel plane can run in this process's network namespace (docs/kernel-data-plane.md).</summary>
public static class KernelPlaneCheck
{
    /// <summary>
    /// Null when libnftables loads and nftables answers this process (root or CAP_NET_ADMIN); otherwise why
    /// not, in words an operator can act on.
    /// </summary>
    public static string? WhyUnavailable()
    {
        if (!NftablesSession.IsInstalled)
        {
            return "libnftables is not installed (Debian and Ubuntu: apt-get install libnftables1)";
        }

        try
        {
            using var session = NftablesSession.Open();
            session.Run("list tables");
            return null;
        }
        catch (NftablesException ex)
        {
            return $"nftables refused this process ({ex.Message}); the kernel plane needs root or CAP_NET_ADMIN";
        }
    }

    /// <summary>
    /// A warning when forwarding from other hosts is off (<c>net.ipv4.ip_forward</c>, <c>net.ipv6.conf.all.forwarding</c>):
    /// then only clients on this host reach the kernel plane's addresses. Null when both are on or unknown.
    /// </summary>
    public static string? ForwardingWarning()
    {
        var off = new List<string>();
        foreach (var (path, name) in new[] { ("/proc/sys/net/ipv4/ip_forward", "net.ipv4.ip_forward"), ("/proc/sys/net/ipv6/conf/all/forwarding", "net.ipv6.conf.all.forwarding") })
        {
            try
            {
                if (File.ReadAllText(path).Trim() == "0")
                {
                    off.Add(name);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Unknown: say nothing.
            }
        }

        return off.Count == 0 ? null : $"{string.Join(" and ", off)} = 0: the kernel forwards nothing between hosts, so only clients on this host reach kernel-served addresses (set it to 1)";
    }
}
