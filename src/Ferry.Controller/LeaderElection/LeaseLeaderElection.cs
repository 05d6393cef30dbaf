using System.Net;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.LeaderElection;

/// <summary>
/// Leader election through a <c>coordination.k8s.io/v1</c> Lease, with KubernetesClient's
/// <see cref="LeaderElector"/>: only the holder runs the controller; a standby takes over when the
/// holder stops renewing for <see cref="LeaderElectionOptions.LeaseDuration"/>.
/// </summary>
/// <remarks>
/// On a clean stop the leader releases the Lease (empty holder, as client-go's <c>ReleaseOnCancel</c>),
/// so a rolling update hands over within a retry period instead of a whole lease duration.
/// KubernetesClient's elector ends a term at the first renewal that fails with an exception (an
/// unreachable API server: connection refused or reset), without waiting for the renew deadline; only
/// HTTP errors and slow answers are retried until <see cref="LeaderElectionOptions.RenewDeadline"/>.
/// Every answer of the API server is classified here: a 401 or 403 is an error that names what was
/// refused and is exposed as <see cref="Problem"/>; other failures show at Warning once per distinct
/// message until a call succeeds, then at Debug, so an outage is visible without a line every retry period.
/// </remarks>
public sealed partial class LeaseLeaderElection : ILeaderElection
{
    /// <summary>How many distinct failure messages are shown at Warning between two successful calls (the rest go to Debug).</summary>
    private const int MaxShownFailures = 16;

    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _reportLock = new();
    private volatile bool _leading;
    private volatile LeaseRefusal? _refusal;
    private readonly HashSet<string> _shownFailures = new(StringComparer.Ordinal);
    private string? _lastFailure;

    public LeaseLeaderElection(IKubernetes client, LeaderElectionOptions options, TimeProvider timeProvider, ILogger<LeaseLeaderElection> logger)
    {
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(LeaderElectionOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public event Action<LeaseObservation>? LeaseObserved;

    public bool IsLeader => _leading;

    /// <summary>The last Lease call's refusal (401/403), until a later call succeeds.</summary>
    public string? Problem => _refusal is { } refusal ? $"leader election: {refusal}" : null;

    /// <summary>Whether a clean stop gives the Lease up at once (default true; tests turn it off to act as a crashed leader).</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        Log.Campaigning(_logger, _options.Identity, _options.LeaseNamespace, _options.LeaseName);
        while (!cancellationToken.IsCancellationRequested)
        {
            await RunTermAsync(whileLeading, cancellationToken);
        }
    }

    private async Task RunTermAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var leaseLock = new ReportingLeaseLock(_client, _options.LeaseNamespace, _options.LeaseName, _options.Identity, o => LeaseObserved?.Invoke(o), Report);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        Task? leading = null;
        elector.OnStartedLeading += () =>
        {
            _leading = true;
            Log.StartedLeading(_logger, _options.Identity);
            leading = LeadAsync(whileLeading, round, term.Token);
        };
        elector.OnNewLeader += leader => Log.NewLeader(_logger, leader ?? "(none)");
        elector.OnError += e => Log.ElectionError(_logger, e.Message);
        try
        {
            await elector.RunUntilLeadershipLostAsync(round.Token);
        }
        catch (OperationCanceledException) when (round.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Unreachable API server, timeouts, refused writes: campaign again after a pause rather than end the process.
            Report("campaign", e);
        }
        finally
        {
            // The elector may leave a renewal attempt running after it gave up; end it, and wait for
            // it, so no write for a term that is over can land after this point (or after a release).
            await round.CancelAsync();
            await leaseLock.WhenIdleAsync();

            // Stop the controller before anyone else may start one.
            await term.CancelAsync();
            if (leading is not null)
            {
                await leading;
                _leading = false;
                if (cancellationToken.IsCancellationRequested)
                {
                    Log.SteppedDown(_logger, _options.Identity);
                }
                else
                {
                    Log.LostLeadership(_logger, _options.Identity, WhyLost(elector.GetLeader()));
                }
            }
        }

        if (leading is not null && cancellationToken.IsCancellationRequested && ReleaseOnCancel)
        {
            await ReleaseAsync();
        }
        else if (!cancellationToken.IsCancellationRequested)
        {
            // Lost the lease or failed to reach the API: pause a retry period before campaigning again.
            try
            {
                await Task.Delay(_options.RetryPeriod, _timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private string WhyLost(string? holder)
    {
        if (!string.IsNullOrEmpty(holder) && holder != _options.Identity)
        {
            return $"the Lease is held by {holder}";
        }

        lock (_reportLock)
        {
            return _refusal is { } refusal ? $"the Lease could not be renewed: {refusal}"
                : _lastFailure is { } failure ? $"the Lease could not be renewed: {failure}"
                : "the Lease was not renewed within the renew deadline";
        }
    }

    /// <summary>Takes the outcome of one Lease call (or of a campaign round) and shows what changed.</summary>
    private void Report(string verb, Exception? error)
    {
        lock (_reportLock)
        {
            if (error is null)
            {
                // A read that works does not undo a refused write: only the refused verb (or a write) clears it.
                var clearsRefusal = _refusal is { } refused && (refused.Verb == verb || verb != "get");
                if (clearsRefusal || (_refusal is null && _lastFailure is not null))
                {
                    Log.LeaseReachable(_logger, _options.LeaseNamespace, _options.LeaseName);
                }

                if (clearsRefusal)
                {
                    _refusal = null;
                }

                _shownFailures.Clear();
                _lastFailure = null;
                return;
            }

            if (LeaseRefusal.From(verb, _options.LeaseNamespace, error) is { } refusal)
            {
                if (refusal != _refusal)
                {
                    Log.Refused(_logger, refusal.ToString());
                }

                _refusal = refusal;
                return;
            }

            if (error is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict })
            {
                // Two replicas raced for the same write: the election's normal business.
                Log.ElectionError(_logger, $"{verb}: {error.Message}");
                return;
            }

            // One line per distinct failure until a call succeeds: an outage shows once, not every retry period.
            _lastFailure = error.Message;
            if (_shownFailures.Count < MaxShownFailures && _shownFailures.Add(error.Message))
            {
                Log.LeaseCallFailed(_logger, verb, _options.LeaseNamespace, _options.LeaseName, error.Message);
            }
            else
            {
                Log.ElectionError(_logger, $"{verb}: {error.Message}");
            }
        }
    }

    private async Task LeadAsync(Func<CancellationToken, Task> whileLeading, CancellationTokenSource round, CancellationToken term)
    {
        await Task.Yield();
        try
        {
            await whileLeading(term);
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.LeaderWorkFailed(_logger, e);
        }

        if (!term.IsCancellationRequested)
        {
            // The work ended by itself while we still hold the lease: step down rather than lead idle.
            await round.CancelAsync();
        }
    }

    private async Task ReleaseAsync()
    {
        // The caller is stopping, so its token is cancelled: give the release a few seconds of its own.
        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _timeProvider);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token);
            if (lease.Spec?.HolderIdentity != _options.Identity)
            {
                return;
            }

            // An empty (not absent) holder: KubernetesClient's elector treats a missing holder as "no lease" and would try to create it.
            lease.Spec.HolderIdentity = string.Empty;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _timeProvider.GetUtcNow().UtcDateTime;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token);
            Log.Released(_logger, _options.LeaseNamespace, _options.LeaseName);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            Log.ReleaseFailed(_logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2401, LogLevel.Information, "{Identity} campaigning for Lease {Namespace}/{Name}")]
        public static partial void Campaigning(ILogger logger, string identity, string @namespace, string name);

        [LoggerMessage(2402, LogLevel.Information, "{Identity} is the leader: starting the controller")]
        public static partial void StartedLeading(ILogger logger, string identity);

        [LoggerMessage(2403, LogLevel.Warning, "{Identity} is no longer the leader ({Reason}): controller stopped")]
        public static partial void LostLeadership(ILogger logger, string identity, string reason);

        [LoggerMessage(2410, LogLevel.Information, "{Identity} stepping down because it is stopping: controller stopped")]
        public static partial void SteppedDown(ILogger logger, string identity);

        [LoggerMessage(2404, LogLevel.Information, "The leader is {Leader}")]
        public static partial void NewLeader(ILogger logger, string leader);

        [LoggerMessage(2405, LogLevel.Debug, "Leader election: {Message}")]
        public static partial void ElectionError(ILogger logger, string message);

        [LoggerMessage(2409, LogLevel.Warning, "Leader election: {Verb} Lease {Namespace}/{Name} failed, retrying: {Message}")]
        public static partial void LeaseCallFailed(ILogger logger, string verb, string @namespace, string name, string message);

        [LoggerMessage(2411, LogLevel.Error, "Leader election: {Refusal}")]
        public static partial void Refused(ILogger logger, string refusal);

        [LoggerMessage(2412, LogLevel.Information, "Leader election: Lease {Namespace}/{Name} reachable again")]
        public static partial void LeaseReachable(ILogger logger, string @namespace, string name);

        [LoggerMessage(2406, LogLevel.Error, "The controller failed while leading; stepping down")]
        public static partial void LeaderWorkFailed(ILogger logger, Exception exception);

        [LoggerMessage(2407, LogLevel.Information, "Released Lease {Namespace}/{Name}")]
        public static partial void Released(ILogger logger, string @namespace, string name);

        [LoggerMessage(2408, LogLevel.Warning, "Could not release the Lease: {Message}")]
        public static partial void ReleaseFailed(ILogger logger, string message);
    }
}
