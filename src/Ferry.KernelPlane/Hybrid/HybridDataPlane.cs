using System.Diagnostics.Metrics;
using Ferry.Contracts;
using Ferry.DataPlane;
using Ferry.DataPlane.Stats;
using Microsoft.Extensions.Logging;

namespace Ferry.KernelPlane.Hybrid;

/// <summary>
/// Both planes behind one provider: each listener goes to the kernel unless it needs the userspace plane
/// (<see cref="KernelPlacement"/>), so one load balancer may have listeners in both. Changes are serialized;
/// a listener that moves is served by its new plane before the old one lets it go (a kernel rule catches new
/// connections before a socket sees them, and a socket binds while a rule still holds the port), so it does
/// not go dark in between.
/// </summary>
/// <remarks>
/// Metrics: the planes are built without meters and this one reports both through the same instruments
/// (<see cref="DataPlaneMetrics"/>), so <c>/metrics</c> names do not depend on the plane.
/// </remarks>
public sealed partial class HybridDataPlane : IDataPlane
{
    private readonly IDataPlane _kernel;
    private readonly IDataPlane _userspace;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<LoadBalancerKey, string> _placements = [];
    private readonly DataPlaneMetrics? _metrics;
    private int _disposed;

    /// <param name="kernel">The kernel plane; owned (disposed with this one).</param>
    /// <param name="userspace">The userspace plane, built without meters; owned.</param>
    /// <param name="meterFactory">Where the merged counters are reported; none when null.</param>
    public HybridDataPlane(IDataPlane kernel, IDataPlane userspace, ILogger<HybridDataPlane> logger, IMeterFactory? meterFactory = null)
    {
        _kernel = kernel;
        _userspace = userspace;
        _logger = logger;
        _metrics = meterFactory is null ? null : new DataPlaneMetrics(meterFactory, GetStats);
    }

    /// <inheritdoc />
    public string Name => "hybrid";

    /// <inheritdoc />
    public async Task<LoadBalancerStatus?> GetAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        var kernel = await _kernel.GetAsync(key, cancellationToken);
        var userspace = await _userspace.GetAsync(key, cancellationToken);
        return kernel is null && userspace is null ? null : Merge(key, kernel, userspace);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LoadBalancerKey>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await _kernel.ListAsync(cancellationToken)).Union(await _userspace.ListAsync(cancellationToken))];

    /// <inheritdoc />
    public Task<LoadBalancerStatus> EnsureAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) =>
        ApplyAsync(spec, (plane, part, ct) => plane.EnsureAsync(part, ct), cancellationToken);

    /// <inheritdoc />
    public Task<LoadBalancerStatus> UpdateBackendsAsync(LoadBalancerSpec spec, CancellationToken cancellationToken) =>
        ApplyAsync(spec, (plane, part, ct) => plane.UpdateBackendsAsync(part, ct), cancellationToken);

    /// <inheritdoc />
    public async Task EnsureDeletedAsync(LoadBalancerKey key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _kernel.EnsureDeletedAsync(key, cancellationToken);
            await _userspace.EnsureDeletedAsync(key, cancellationToken);
            _placements.Remove(key);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<LoadBalancerStats> GetStats()
    {
        var kernel = _kernel.GetStats().ToDictionary(s => s.Key);
        var userspace = _userspace.GetStats().ToDictionary(s => s.Key);
        return [.. kernel.Keys.Union(userspace.Keys).Select(k => MergeStats(k, kernel.GetValueOrDefault(k), userspace.GetValueOrDefault(k))!)];
    }

    /// <inheritdoc />
    public LoadBalancerStats? GetStats(LoadBalancerKey key) => MergeStats(key, _kernel.GetStats(key), _userspace.GetStats(key));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _metrics?.Dispose();
        await _userspace.DisposeAsync();
        await _kernel.DisposeAsync();
        _gate.Dispose();
    }

    private async Task<LoadBalancerStatus> ApplyAsync(LoadBalancerSpec spec, Func<IDataPlane, LoadBalancerSpec, CancellationToken, Task<LoadBalancerStatus>> apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        LoadBalancerSpecValidator.ThrowIfInvalid(spec);

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var (kernelPart, userspacePart, reasons) = KernelPlacement.Split(spec);

            // The plane that gains listeners first, then the one that loses them.
            var inKernel = (await _kernel.GetAsync(spec.Key, cancellationToken))?.Listeners.Select(l => (l.Port, l.Protocol)).Distinct().Count() ?? 0;
            var kernelFirst = kernelPart.Listeners.Length >= inKernel;
            LoadBalancerStatus? kernel;
            LoadBalancerStatus? userspace;
            if (kernelFirst)
            {
                kernel = await ApplyPartAsync(_kernel, kernelPart, apply, cancellationToken);
                userspace = await ApplyPartAsync(_userspace, userspacePart, apply, cancellationToken);
            }
            else
            {
                userspace = await ApplyPartAsync(_userspace, userspacePart, apply, cancellationToken);
                kernel = await ApplyPartAsync(_kernel, kernelPart, apply, cancellationToken);
            }

            LogPlacement(spec, reasons);
            return Merge(spec.Key, kernel, userspace);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ensures a part with listeners; a part without any is deleted from its plane.</summary>
    private static async Task<LoadBalancerStatus?> ApplyPartAsync(IDataPlane plane, LoadBalancerSpec part, Func<IDataPlane, LoadBalancerSpec, CancellationToken, Task<LoadBalancerStatus>> apply, CancellationToken cancellationToken)
    {
        if (part.Listeners.Length > 0)
        {
            return await apply(plane, part, cancellationToken);
        }

        await plane.EnsureDeletedAsync(part.Key, cancellationToken);
        return null;
    }

    /// <summary>One log line per load balancer whenever which plane serves which of its listeners changes.</summary>
    private void LogPlacement(LoadBalancerSpec spec, IReadOnlyList<string?> reasons)
    {
        var text = string.Join(", ", spec.Listeners.Select((l, i) => reasons[i] is { } reason ? $"{l} userspace ({reason})" : $"{l} kernel"));
        if (_placements.TryGetValue(spec.Key, out var previous) && previous == text)
        {
            return;
        }

        _placements[spec.Key] = text;
        var key = spec.Key.ToString();
        Log.Placement(_logger, key, text);
    }

    private static LoadBalancerStatus Merge(LoadBalancerKey key, LoadBalancerStatus? kernel, LoadBalancerStatus? userspace) =>
        new(key, [.. (kernel?.Listeners ?? []).Concat(userspace?.Listeners ?? [])]);

    private static LoadBalancerStats? MergeStats(LoadBalancerKey key, LoadBalancerStats? kernel, LoadBalancerStats? userspace) =>
        kernel is null && userspace is null
            ? null
            : new LoadBalancerStats(key, [.. (kernel?.Listeners ?? []).Select(l => l with { Plane = ListenerStats.KernelPlane }).Concat(userspace?.Listeners ?? [])]);

    private static partial class Log
    {
        [LoggerMessage(8700, LogLevel.Information, "load balancer {LoadBalancer}: {Placement}")]
        public static partial void Placement(ILogger logger, string loadBalancer, string placement);
    }
}
