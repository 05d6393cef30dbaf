using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.Models;

namespace Ferry.Controller.LeaderElection;

/// <summary>
/// The <c>coordination.k8s.io/v1</c> Lease as KubernetesClient's <see cref="LeaderElector"/> locks it
/// (the same calls and results as its <c>LeaseLock</c>), reporting every answer: each successful read
/// (who holds the Lease, when it was renewed) and each call's outcome with its verb, so refusals and
/// outages can be told apart and shown.
/// </summary>
/// <remarks>
/// As KubernetesClient's lock: a read throws (404 included: the elector creates the Lease then); a
/// refused create or update returns false; an update replaces the last object read or written, so
/// the API server's optimistic concurrency (resourceVersion) decides between racing replicas.
/// </remarks>
internal sealed class ReportingLeaseLock(
    IKubernetes client,
    string @namespace,
    string name,
    string identity,
    Action<LeaseObservation> observed,
    Action<string, Exception?> completed) : ILock
{
    private readonly ConcurrentDictionary<Task, byte> _calls = new();
    private V1Lease? _last;

    public string Identity => identity;

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => TrackAsync(() => GetCoreAsync(cancellationToken));

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => TrackAsync(() => CreateCoreAsync(record, cancellationToken));

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => TrackAsync(() => UpdateCoreAsync(record, cancellationToken));

    public string Describe() => $"{@namespace}/{name}";

    /// <summary>
    /// Completes when no call is in flight. The elector may leave a renewal running after it gave up;
    /// once its token is cancelled, waiting for this makes sure no write lands after the term ended.
    /// </summary>
    public Task WhenIdleAsync() => Task.WhenAll(_calls.Keys).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async Task<T> TrackAsync<T>(Func<Task<T>> start)
    {
        var call = start();
        _calls.TryAdd(call, 0);
        try
        {
            return await call;
        }
        finally
        {
            _calls.TryRemove(call, out _);
        }
    }

    private async Task<LeaderElectionRecord> GetCoreAsync(CancellationToken cancellationToken)
    {
        V1Lease lease;
        try
        {
            lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(name, @namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            completed("get", null);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            completed("get", e);
            throw;
        }

        Interlocked.Exchange(ref _last, lease);
        completed("get", null);
        observed(new LeaseObservation(lease.Spec?.HolderIdentity, lease.Spec?.RenewTime));
        return ToRecord(lease);
    }

    private async Task<bool> CreateCoreAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = @namespace }, Spec = ToSpec(record) };
        try
        {
            Interlocked.Exchange(ref _last, await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, @namespace, cancellationToken: cancellationToken));
            completed("create", null);
            return true;
        }
        catch (HttpOperationException e)
        {
            completed("create", e);
            return false;
        }
    }

    private async Task<bool> UpdateCoreAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = Volatile.Read(ref _last) ?? throw new InvalidOperationException("the Lease was neither read nor created before an update");
        lease.Spec = ToSpec(record);
        try
        {
            Interlocked.Exchange(ref _last, await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, @namespace, cancellationToken: cancellationToken));
            completed("update", null);
            return true;
        }
        catch (HttpOperationException e)
        {
            completed("update", e);
            return false;
        }
    }

    private static LeaderElectionRecord ToRecord(V1Lease lease) => new()
    {
        HolderIdentity = lease.Spec?.HolderIdentity,
        AcquireTime = lease.Spec?.AcquireTime,
        RenewTime = lease.Spec?.RenewTime,
        LeaseDurationSeconds = lease.Spec?.LeaseDurationSeconds ?? 15,
        LeaderTransitions = lease.Spec?.LeaseTransitions ?? 0,
    };

    private static V1LeaseSpec ToSpec(LeaderElectionRecord record) => new()
    {
        HolderIdentity = record.HolderIdentity,
        AcquireTime = record.AcquireTime,
        RenewTime = record.RenewTime,
        LeaseDurationSeconds = record.LeaseDurationSeconds,
        LeaseTransitions = record.LeaderTransitions,
    };
}
