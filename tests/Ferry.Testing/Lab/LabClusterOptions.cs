namespace Ferry.Testing.Lab;

/// <summary>How <see cref="LabCluster.StartAsync"/> runs Ferry in the lab.</summary>
public sealed record LabClusterOptions
{
    /// <summary>The pools file every replica reads (<c>--pools</c>); by default one pool of 192.0.2.100-192.0.2.149 and 2001:db8::100-2001:db8::149, on the LAN.</summary>
    public string PoolsYaml { get; init; } = "pools:\n  - name: lab\n    addresses: [192.0.2.100-192.0.2.149, 2001:db8::100-2001:db8::149]\n";

    /// <summary>
    /// Flags every <c>ferry run</c> gets after the lab's own (<c>--kubeconfig</c>, <c>--pools</c>, <c>--identity NODE</c>,
    /// <c>--lease-namespace default</c>, <c>--admin-listen NODE-IP:9102</c>, <c>--targets endpoints</c>): short Lease timings by default.
    /// </summary>
    public IReadOnlyList<string> RunArguments { get; init; } = ["--lease-duration", "4", "--renew-deadline", "3", "--retry-period", "0.5"];

    /// <summary>Flags <c>ferry api</c> gets after the lab's own (<c>--data-dir</c>, <c>--listen</c>), e.g. <c>--audit-log-path FILE</c>.</summary>
    public IReadOnlyList<string> ApiArguments { get; init; } = [];

    /// <summary>The <c>ferry</c> entry assembly, run with <c>dotnet</c>; by default <c>ferry.dll</c> next to the tests (reference src/Ferry.Cli).</summary>
    public string FerryDll { get; init; } = Path.Combine(AppContext.BaseDirectory, "ferry.dll");

    /// <summary>The limit for <c>ferry api</c> to start and for the waits of <see cref="LabCluster"/>.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
