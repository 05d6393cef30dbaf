using k8s.Models;

namespace Ferry.Controller.Reconciliation;

/// <summary>
/// Whether a Service's <c>status.loadBalancer</c> already says what a sync would write, judged against what the API
/// server keeps: servers without <c>ingress[].ipMode</c> (Kubernetes 1.28, and 1.29 with the <c>LoadBalancerIPMode</c>
/// gate off) drop it from every write, so comparing it there would write again on every sync
/// (docs/upstream-semantics.md, "One sync", status).
/// </summary>
/// <remarks>
/// What the server keeps is learnt from the answers to status writes (<see cref="Learn"/>): one that dropped the
/// <c>ipMode</c> written marks the server as one without it, one that kept it as one with it (after an upgrade).
/// Until then <c>ipMode</c> counts, as HEAD upstream compares it. Thread-safe.
/// </remarks>
public sealed class IngressStatusComparer
{
    private volatile bool _serverDropsIpMode;

    /// <summary>True once a status write's answer showed the server drops <c>ipMode</c>.</summary>
    public bool ServerDropsIpMode => _serverDropsIpMode;

    /// <summary>
    /// HEAD upstream's semantic equality of the ingress lists (ip, hostname, ipMode, in order), except that a live entry
    /// without <c>ipMode</c> matches any wanted one on a server known to drop it.
    /// </summary>
    public bool Same(V1LoadBalancerStatus? current, V1LoadBalancerStatus desired)
    {
        var a = current?.Ingress ?? [];
        var b = desired.Ingress ?? [];
        var dropsIpMode = _serverDropsIpMode;
        return a.Count == b.Count && a.Zip(b).All(p => p.First.Ip == p.Second.Ip && p.First.Hostname == p.Second.Hostname
            && (p.First.IpMode == p.Second.IpMode || (dropsIpMode && p.First.IpMode is null)));
    }

    /// <summary>Learns from the Service a status write of <paramref name="written"/> returned whether the server keeps <c>ipMode</c>.</summary>
    /// <returns>True when this answer changed what is known (for a log line).</returns>
    public bool Learn(V1LoadBalancerStatus written, V1Service? answer)
    {
        var sent = (written.Ingress ?? []).Where(i => i.IpMode is not null).ToList();
        var kept = answer?.Status?.LoadBalancer?.Ingress ?? [];
        if (sent.Count == 0 || answer is null)
        {
            return false;
        }

        var matching = kept.Where(k => sent.Any(s => s.Ip == k.Ip && s.Hostname == k.Hostname)).ToList();
        if (matching.Count == 0)
        {
            return false; // someone else's write won meanwhile: nothing to learn
        }

        var drops = matching.All(k => k.IpMode is null);
        var changed = drops != _serverDropsIpMode;
        _serverDropsIpMode = drops;
        return changed;
    }
}
