using Ferry.Contracts.Announcement;
using Ferry.Controller;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>What the controller and its data plane need besides a Kubernetes client.</summary>
public sealed record ControllerHostOptions
{
    /// <summary>The seed pools external IPs come from (the pools file or <c>--pool</c>); AddressPool objects add to them and override one of the same name.</summary>
    public required IReadOnlyList<AddressPool> Pools { get; init; }

    /// <summary>How the seed pools are announced (one per pool; a pool without one is not announced).</summary>
    public IReadOnlyList<PoolAnnouncement> Announcements { get; init; } = [];

    /// <summary>Whether the controller also takes pools from AddressPool objects (ferry.dev/v1alpha1) and MetalLB's IPAddressPools and L2Advertisements.</summary>
    public bool PoolObjects { get; init; } = true;

    /// <summary>How often a pool kind the cluster does not serve (AddressPool, MetalLB's kinds) is looked for again.</summary>
    public TimeSpan AbsentResourceRetry { get; init; } = TimeSpan.FromSeconds(60);

    public ControllerOptions Controller { get; init; } = new();

    /// <summary>The data plane the host builds when it is not given one; userspace unless asked.</summary>
    public Contracts.DataPlaneMode DataPlane { get; init; } = Contracts.DataPlaneMode.Userspace;

    /// <summary>This replica's name in Events (<c>reportingInstance</c>) and logs.</summary>
    public string Identity { get; init; } = Environment.MachineName;

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = Controller.Validate().Select(p => $"{nameof(Controller)}.{p}").ToList();
        if (string.IsNullOrWhiteSpace(Identity))
        {
            problems.Add($"{nameof(Identity)}: must not be empty");
        }

        return problems;
    }
}
