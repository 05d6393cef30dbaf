using System.Net;
using System.Threading.Channels;
using Ferry.Configuration;
using Ferry.Contracts;
using Ferry.Standalone.Configuration;
using Microsoft.Extensions.Logging;

namespace Ferry.Standalone;

/// <summary>
/// The standalone balancer (<c>ferry proxy --config FILE</c>): applies the load balancers of a YAML file
/// to an <see cref="ILoadBalancerProvider"/> and keeps them in step with the file.
/// </summary>
/// <remarks>
/// <para>
/// A reload happens when the file changes (debounced) or when <see cref="RequestReload"/> is called (SIGHUP).
/// A file that cannot be read or has any error is rejected as a whole: every error is logged and the
/// provider is not called, so the running config stays. A valid file is applied load balancer by load
/// balancer: removed ones are deleted first (freeing their ports for renamed ones), then each one is
/// ensured; a load balancer the provider refuses is logged and keeps its previous state while the others
/// still apply.
/// </para>
/// <para>Reloads run one at a time. Unchanged load balancers are not re-sent unless a forced reload asks for it.</para>
/// </remarks>
public sealed partial class StandaloneBalancer : IDisposable
{
    private readonly string _path;
    private readonly ILoadBalancerProvider _provider;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly StandaloneBalancerOptions _options;
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly Channel<bool> _reloadRequests = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>What this balancer last applied successfully, with the status the provider reported.</summary>
    private readonly Dictionary<LoadBalancerKey, (LoadBalancerSpec Spec, LoadBalancerStatus Status)> _applied = [];
    private string? _lastContent;

    public StandaloneBalancer(
        string configPath,
        ILoadBalancerProvider provider,
        ILogger<StandaloneBalancer> logger,
        TimeProvider timeProvider,
        StandaloneBalancerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        _path = configPath;
        _provider = provider;
        _logger = logger;
        _timeProvider = timeProvider;
        _options = options ?? new StandaloneBalancerOptions();
        if (_options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(StandaloneBalancerOptions)}: {string.Join("; ", problems)}", nameof(options));
        }
    }

    /// <summary>Raised after every reload, whatever its outcome.</summary>
    public event EventHandler<ReloadResult>? Reloaded;

    public string ConfigPath => _path;

    /// <summary>
    /// Loads and applies the file, then reloads on every change or request until cancelled. Returns when
    /// <paramref name="cancellationToken"/> is cancelled; the provider's load balancers keep running (the
    /// caller disposes the provider to stop them).
    /// </summary>
    /// <exception cref="StandaloneConfigException">The file was unreadable or invalid at start.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Watch before the first read, so that a change made while it is applied is not missed.
        using var watcher = _options.WatchFile ? StartWatcher() : null;
        var initial = await ReloadAsync(force: true, cancellationToken);
        if (initial.Outcome == ReloadOutcome.Rejected)
        {
            throw new StandaloneConfigException(_path, initial.Errors);
        }

        try
        {
            var reader = _reloadRequests.Reader;
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                await Task.Delay(_options.ReloadDebounce, _timeProvider, cancellationToken);
                var force = false;
                while (reader.TryRead(out var forced))
                {
                    force |= forced;
                }

                await ReloadAsync(force, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Asks the running loop for a reload that re-sends every load balancer even if the file did not
    /// change (SIGHUP), which also retries ports that failed to bind. Returns at once.
    /// </summary>
    public void RequestReload()
    {
        Log.ReloadRequested(_logger, _path);
        _reloadRequests.Writer.TryWrite(true);
    }

    /// <summary>Reads, checks and applies the file once, now.</summary>
    /// <param name="force">Re-send every load balancer even if neither the file nor the load balancer changed.</param>
    public async Task<ReloadResult> ReloadAsync(bool force, CancellationToken cancellationToken)
    {
        await _reloadLock.WaitAsync(cancellationToken);
        try
        {
            var result = await ReloadCoreAsync(force, cancellationToken);
            Reloaded?.Invoke(this, result);
            return result;
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    public void Dispose() => _reloadLock.Dispose();

    private async Task<ReloadResult> ReloadCoreAsync(bool force, CancellationToken cancellationToken)
    {
        string content;
        try
        {
            content = await File.ReadAllTextAsync(_path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _lastContent = null;
            return Reject([new ConfigError(string.Empty, $"cannot read the file: {e.Message}")]);
        }

        if (!force && content == _lastContent)
        {
            Log.Unchanged(_logger, _path);
            return new ReloadResult(ReloadOutcome.Unchanged);
        }

        _lastContent = content;
        var parsed = StandaloneConfigParser.Parse(content);
        if (!parsed.IsValid)
        {
            return Reject(parsed.Errors);
        }

        Log.Loaded(_logger, _path, parsed.LoadBalancers.Count);
        return await ApplyAsync(parsed.LoadBalancers, force, cancellationToken);
    }

    private ReloadResult Reject(IReadOnlyList<ConfigError> errors)
    {
        foreach (var error in errors)
        {
            Log.ConfigError(_logger, Location(error), error.ToString());
        }

        Log.Rejected(_logger, _path, errors.Count, _applied.Count);
        return new ReloadResult(ReloadOutcome.Rejected) { Errors = errors };
    }

    private async Task<ReloadResult> ApplyAsync(IReadOnlyList<LoadBalancerSpec> specs, bool force, CancellationToken cancellationToken)
    {
        var wanted = specs.Select(s => s.Key).ToHashSet();
        var deleted = new List<LoadBalancerKey>();
        var ensured = new List<LoadBalancerStatus>();
        var failed = new List<LoadBalancerKey>();

        foreach (var key in _applied.Keys.Where(k => !wanted.Contains(k)).ToList())
        {
            try
            {
                await _provider.EnsureDeletedAsync(key, cancellationToken);
                _applied.Remove(key);
                deleted.Add(key);
                Log.Deleted(_logger, key);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Add(key);
                Log.DeleteFailed(_logger, key, e);
            }
        }

        foreach (var spec in specs)
        {
            if (!force && _applied.TryGetValue(spec.Key, out var previous) && previous.Spec == spec && previous.Status.IsFullyServing)
            {
                continue;
            }

            try
            {
                var status = await _provider.EnsureAsync(spec, cancellationToken);
                _applied[spec.Key] = (spec, status);
                ensured.Add(status);
                LogStatus(spec, status);
            }
            catch (LoadBalancerValidationException e)
            {
                failed.Add(spec.Key);
                foreach (var error in e.Errors)
                {
                    Log.Refused(_logger, spec.Key, error.ToString());
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed.Add(spec.Key);
                Log.EnsureFailed(_logger, spec.Key, e);
            }
        }

        return new ReloadResult(failed.Count == 0 ? ReloadOutcome.Applied : ReloadOutcome.PartiallyApplied)
        {
            Ensured = ensured,
            Deleted = deleted,
            Failed = failed,
        };
    }

    private void LogStatus(LoadBalancerSpec spec, LoadBalancerStatus status)
    {
        foreach (var listener in status.Listeners.Where(l => !l.IsServing))
        {
            Log.ListenerNotServing(_logger, spec.Key, new IPEndPoint(listener.Address, listener.Port).ToString(), listener.Protocol.ToString().ToUpperInvariant(), listener.Error ?? "unknown error");
        }

        var serving = status.Listeners.Count(l => l.IsServing);
        Log.Applied(_logger, spec.Key, serving, status.Listeners.Length, spec.Listeners.Sum(l => l.Backends.Length));
    }

    private string Location(ConfigError error) => error.Line > 0 ? $"{_path}:{error.Line}:{error.Column}" : _path;

    private ConfigFileWatcher? StartWatcher()
    {
        try
        {
            return new ConfigFileWatcher(_path, () => _reloadRequests.Writer.TryWrite(false), e => Log.WatchError(_logger, _path, e));
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            Log.WatchUnavailable(_logger, _path, e);
            return null;
        }
    }
}
