using System.Net;
using Ferry.Hosting.Admin;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>Settings of <c>ferry up</c>: everything in one process on one machine.</summary>
public sealed record LocalFerryOptions
{
    /// <summary>The default pool: loopback addresses, local on Linux with no privileges needed.</summary>
    public const string DefaultPool = "127.241.0.0/24";

    public required string DataDirectory { get; init; }

    /// <summary>Which data plane carries the traffic (<c>--data-plane</c>); userspace unless asked.</summary>
    public Contracts.DataPlaneMode DataPlane { get; init; } = Contracts.DataPlaneMode.Userspace;

    public IPEndPoint ApiListen { get; init; } = new(IPAddress.Loopback, 6443);

    public IReadOnlyList<AddressPool> Pools { get; init; } = [new AddressPool("default", [AddressRange.Parse(DefaultPool)])];

    /// <summary>The admin endpoint (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>); null serves none.</summary>
    public AdminEndpointOptions? Admin { get; init; }

    /// <summary>Services synced at once (upstream's <c>--concurrent-service-syncs</c>); <c>ferry up</c> runs one.</summary>
    public int ControllerWorkers { get; init; } = 1;

    /// <summary>How often a pool kind not served yet (MetalLB's, until its definitions are applied) is looked for again.</summary>
    public TimeSpan AbsentResourceRetry { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Every problem, each naming its property; empty when the options are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add($"{nameof(DataDirectory)}: must not be empty");
        }

        if (ControllerWorkers < 1)
        {
            problems.Add($"{nameof(ControllerWorkers)}: must be at least 1");
        }

        problems.AddRange((Admin?.Validate() ?? []).Select(p => $"{nameof(Admin)}.{p}"));
        return problems;
    }
}
