using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Ferry.Contracts;
using Ferry.Contracts.Addressing;
using Ferry.Ipam;
using k8s.Models;

namespace Ferry.Controller.Reconciliation;

/// <summary>Builds the allocator's request from a Service (the only place Ipam meets Kubernetes types).</summary>
public static class AllocationRequests
{
    /// <summary>The request, or an error naming the field or annotation that is wrong.</summary>
    public static (AllocationRequest? Request, string? Error) For(V1Service service)
    {
        var annotations = service.Metadata?.Annotations ?? new Dictionary<string, string>();
        var families = (service.Spec?.IpFamilies ?? ["IPv4"])
            .Select(f => f == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
            .Distinct()
            .ToImmutableArray();

        var (ipsKey, ipsText, ipsError) = Annotation(annotations, FerryAnnotations.LoadBalancerIps, FerryAnnotations.MetalLbLoadBalancerIps);
        var (_, pool, poolError) = Annotation(annotations, FerryAnnotations.AddressPool, FerryAnnotations.MetalLbAddressPool);
        var (_, sharingKey, sharingError) = Annotation(annotations, FerryAnnotations.AllowSharedIp, FerryAnnotations.MetalLbAllowSharedIp);
        if ((ipsError ?? poolError ?? sharingError) is { } disagreement)
        {
            return (null, disagreement);
        }

        var requested = ImmutableArray.CreateBuilder<IPAddress>();
        if (!string.IsNullOrWhiteSpace(ipsText))
        {
            foreach (var part in ipsText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!NetworkText.TryParseAddress(part, out var ip))
                {
                    return (null, $"annotation {ipsKey}: invalid IP address \"{part}\"");
                }

                requested.Add(ip);
            }
        }
        else if (!string.IsNullOrWhiteSpace(service.Spec?.LoadBalancerIP))
        {
            if (!NetworkText.TryParseAddress(service.Spec.LoadBalancerIP.Trim(), out var ip))
            {
                return (null, $"spec.loadBalancerIP: invalid IP address \"{service.Spec.LoadBalancerIP}\"");
            }

            requested.Add(ip);
        }

        // A Service asking for fewer addresses than families gets only the families it named.
        if (requested.Count > 0 && requested.Count < families.Length)
        {
            families = [.. requested.Select(a => a.AddressFamily).Distinct()];
        }

        var ports = (service.Spec?.Ports ?? [])
            .Where(p => (p.Protocol ?? "TCP") is "TCP" or "UDP")
            .Select(p => new ServicePort(p.Protocol == "UDP" ? TransportProtocol.Udp : TransportProtocol.Tcp, p.Port))
            .Distinct()
            .ToImmutableArray();

        var request = new AllocationRequest(
            ServiceKeys.Of(service),
            families,
            ports,
            requested.ToImmutable(),
            string.IsNullOrWhiteSpace(pool) ? null : pool.Trim(),
            string.IsNullOrWhiteSpace(sharingKey) ? null : sharingKey.Trim());
        return (request, null);
    }

    /// <summary>
    /// One setting that Ferry's annotation or MetalLB's (either spelling) may carry: the key it came from and its
    /// value (null when none is set), or an error when two of them are set to different values.
    /// </summary>
    private static (string Key, string? Value, string? Error) Annotation(IDictionary<string, string> annotations, string ferryKey, IReadOnlyList<string> metalLbKeys)
    {
        var set = metalLbKeys.Prepend(ferryKey)
            .Where(k => annotations.TryGetValue(k, out var v) && !string.IsNullOrWhiteSpace(v))
            .Select(k => (Key: k, Value: annotations[k].Trim()))
            .ToList();
        if (set.Count == 0)
        {
            return (ferryKey, null, null);
        }

        if (set.Skip(1).FirstOrDefault(s => s.Value != set[0].Value) is { Key: not null } other)
        {
            return (set[0].Key, null, $"annotations {set[0].Key} (\"{set[0].Value}\") and {other.Key} (\"{other.Value}\") disagree; set one of them");
        }

        return (set[0].Key, set[0].Value, null);
    }

    /// <summary>The IPs in a Service's status, to replay into the allocator after a restart.</summary>
    public static ImmutableArray<IPAddress> StatusAddresses(V1Service service) =>
        [.. (service.Status?.LoadBalancer?.Ingress ?? [])
            .Select(i => NetworkText.TryParseAddress(i.Ip, out var ip) ? ip : null)
            .OfType<IPAddress>()];
}
