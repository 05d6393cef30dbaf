using Ferry.Controller;
using Ferry.Ipam;

namespace Ferry.Hosting;

/// <summary>What the controller and its data plane need besides a Kubernetes client.</summary>
public sealed record ControllerHostOptions
{
    /// <summary>The pools external IPs come from.</summary>
    public required IReadOnlyList<AddressPool> Pools { get; init; }

    public ControllerOptions Controller { get; init; } = new();

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
