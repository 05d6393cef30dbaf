using System.Net;
using Ferry.Contracts;
using Ferry.Controller.Predicates;
using Ferry.Controller.Reconciliation;
using Ferry.Controller.Translation;
using Ferry.Ipam;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Controller.Tests.Reconciliation;

public class ServiceReconcilerTests
{
    private readonly Timeline _timeline = new();
    private readonly FakeClusterView _cluster = new();
    private readonly RecordingServiceWriter _writer;
    private readonly RecordingEventRecorder _events;
    private readonly RecordingProvider _provider;
    private readonly IpAllocator _allocator = new([new AddressPool("default", [AddressRange.Parse("203.0.113.0/30")])]);
    private readonly ServiceReconciler _reconciler;

    public ServiceReconcilerTests()
    {
        _writer = new RecordingServiceWriter(_cluster, _timeline);
        _events = new RecordingEventRecorder(_timeline);
        _provider = new RecordingProvider(_timeline);
        _reconciler = new ServiceReconciler(_cluster, _writer, _events, _provider, _allocator, new ServiceTranslator(new TranslationOptions()),
            new ServicePredicates(ClassSelection.Unset), NullLogger<ServiceReconciler>.Instance);
        _cluster.Nodes.Add(Builders.Node("node-a", "192.0.2.1"));
    }

    private static ServiceKey Key(string key) => ServiceKey.Parse(key);

    private async Task<ReconcileResult> SyncAsync(string key = "default/web") =>
        (await _reconciler.SyncAsync(Key(key), TestContext.Current.CancellationToken)).Result;

    [Fact]
    public async Task Sync_NewService_FinalizerBeforeProvisioningThenStatusAndEvents()
    {
        _cluster.Put(Builders.LoadBalancer());

        Assert.True((await SyncAsync()).Succeeded);

        Assert.Equal(
            ["event EnsuringLoadBalancer", "finalizer+", "ensure default/web 203.0.113.1", "event EnsuredLoadBalancer", "status 203.0.113.1/VIP"],
            _timeline.Entries);
        Assert.Contains(FerryAnnotations.CleanupFinalizer, _cluster.Services[Key("default/web")].Metadata.Finalizers);
        Assert.Equal(("Normal", "Ensured load balancer"), (_events.Events[1].Type, _events.Events[1].Message));
    }

    [Fact]
    public async Task Sync_Unchanged_DoesNotRewriteStatusOrFinalizer()
    {
        _cluster.Put(Builders.LoadBalancer());
        await SyncAsync();
        _timeline.Entries.Clear();

        await SyncAsync();

        Assert.Equal(["event EnsuringLoadBalancer", "ensure default/web 203.0.113.1", "event EnsuredLoadBalancer"], _timeline.Entries);
    }

    [Fact]
    public async Task Sync_Deleting_DeletesThenReleasesThenRemovesFinalizer()
    {
        var service = Builders.LoadBalancer();
        _cluster.Put(service);
        await SyncAsync();
        _timeline.Entries.Clear();

        service.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.True((await SyncAsync()).Succeeded);

        Assert.Equal(["event DeletingLoadBalancer", "delete default/web", "finalizer-", "event DeletedLoadBalancer"], _timeline.Entries);
        Assert.Null(_allocator.Get(Key("default/web")));
        Assert.Empty(_provider.Running);
        Assert.False(_cluster.Services.ContainsKey(Key("default/web")));
    }

    [Fact]
    public async Task Sync_TypeChangedAway_CleansUpAndClearsStatus()
    {
        var service = Builders.LoadBalancer();
        _cluster.Put(service);
        await SyncAsync();
        _timeline.Entries.Clear();

        service.Spec.Type = "ClusterIP";
        await SyncAsync();

        Assert.Equal(["event DeletingLoadBalancer", "delete default/web", "finalizer-", "event DeletedLoadBalancer", "status "], _timeline.Entries);
        Assert.Empty(service.Metadata.Finalizers);
    }

    [Fact]
    public async Task Sync_PoolExhausted_FailsWithUpstreamMessageAndRetriesWhenFreed()
    {
        _cluster.Put(Builders.LoadBalancer("a"));
        _cluster.Put(Builders.LoadBalancer("b"));
        _cluster.Put(Builders.LoadBalancer("c"));
        Assert.True((await SyncAsync("default/a")).Succeeded);
        Assert.True((await SyncAsync("default/b")).Succeeded);

        var failed = await SyncAsync("default/c");

        Assert.False(failed.Succeeded);
        var warning = _events.Events.Last();
        Assert.Equal(("Warning", "SyncLoadBalancerFailed"), (warning.Type, warning.Reason));
        Assert.StartsWith("Error syncing load balancer: failed to ensure load balancer: no address pool", warning.Message, StringComparison.Ordinal);
        Assert.Contains(FerryAnnotations.CleanupFinalizer, _cluster.Services[Key("default/c")].Metadata.Finalizers);
        var waiting = Assert.Single(_cluster.Services[Key("default/c")].Status.Conditions);
        Assert.Equal(("ferry.dev/AddressAssigned", "False", "Exhausted"), (waiting.Type, waiting.Status, waiting.Reason));
        Assert.StartsWith("no address pool", waiting.Message, StringComparison.Ordinal);
        var conditionWrites = _writer.Conditions.Count;
        Assert.False((await SyncAsync("default/c")).Succeeded);
        Assert.Equal(conditionWrites, _writer.Conditions.Count);

        _cluster.Services[Key("default/a")].Metadata.DeletionTimestamp = DateTime.UtcNow;
        var (result, retry) = await _reconciler.SyncAsync(Key("default/a"), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded);
        Assert.Equal([Key("default/c")], retry);
        Assert.True((await SyncAsync("default/c")).Succeeded);
        Assert.Equal("203.0.113.1", _cluster.Services[Key("default/c")].Status.LoadBalancer.Ingress[0].Ip);
        var assigned = Assert.Single(_cluster.Services[Key("default/c")].Status.Conditions);
        Assert.Equal(("True", "Assigned"), (assigned.Status, assigned.Reason));
        Assert.Contains("203.0.113.1 from address pool", assigned.Message, StringComparison.Ordinal);
    }

    /// <summary>Service a holds 203.0.113.1, which c asks for and waits for; then a is edited to ask for 203.0.113.2.</summary>
    private async Task MoveAOffTheAddressCWaitsForAsync()
    {
        _cluster.Put(Builders.LoadBalancer("a"));
        var waiter = Builders.LoadBalancer("c");
        waiter.Metadata.Annotations[FerryAnnotations.LoadBalancerIps] = "203.0.113.1";
        _cluster.Put(waiter);
        Assert.True((await SyncAsync("default/a")).Succeeded);
        Assert.Contains("already in use by default/a", (await SyncAsync("default/c")).Error, StringComparison.Ordinal);
        Assert.True(_allocator.IsWaiting(Key("default/c")));
        _cluster.Services[Key("default/a")].Metadata.Annotations[FerryAnnotations.LoadBalancerIps] = "203.0.113.2";
    }

    [Fact]
    public async Task Sync_WaiterForAnAddress_IsHandedBackExactlyOnceWhenItFreesUp()
    {
        await MoveAOffTheAddressCWaitsForAsync();

        // a's sync moves it: the address c waits for is free, and c is handed back once ...
        var (moved, retry) = await _reconciler.SyncAsync(Key("default/a"), TestContext.Current.CancellationToken);
        Assert.True(moved.Succeeded);
        Assert.Equal([Key("default/c")], retry);

        // ... and not again when a goes away before c's retry ran.
        _cluster.Services[Key("default/a")].Metadata.DeletionTimestamp = DateTime.UtcNow;
        var (deleted, again) = await _reconciler.SyncAsync(Key("default/a"), TestContext.Current.CancellationToken);
        Assert.True(deleted.Succeeded);
        Assert.Empty(again);

        Assert.True((await SyncAsync("default/c")).Succeeded);
        Assert.False(_allocator.IsWaiting(Key("default/c")));
        Assert.Equal("203.0.113.1", _cluster.Services[Key("default/c")].Status.LoadBalancer.Ingress[0].Ip);
    }

    [Fact]
    public async Task Sync_CrashesAfterFreeingAnAddress_WaiterStillWaits()
    {
        await MoveAOffTheAddressCWaitsForAsync();

        _events.CrashOn = ServiceEvents.EnsuredLoadBalancer;
        await Assert.ThrowsAsync<InvalidOperationException>(() => SyncAsync("default/a"));

        Assert.True(_allocator.IsWaiting(Key("default/c")));
    }

    [Fact]
    public async Task Sync_NoEligibleNodes_WarnsUnavailableButStillEnsures()
    {
        _cluster.Nodes.Clear();
        _cluster.Put(Builders.LoadBalancer());
        await SyncAsync();
        Assert.Equal(["EnsuringLoadBalancer", "UnAvailableLoadBalancer", "EnsuredLoadBalancer"], _events.Reasons);
        Assert.Equal(ServiceEvents.UnAvailableMessage, _events.Events[1].Message);
    }

    [Fact]
    public async Task Sync_PortCannotBind_FailsAndDoesNotWriteStatus()
    {
        _provider.UnbindablePorts.Add(80);
        _cluster.Put(Builders.LoadBalancer());

        var result = await SyncAsync();

        Assert.False(result.Succeeded);
        Assert.Contains("203.0.113.1 80/TCP: address already in use", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_timeline.Entries, e => e.StartsWith("status", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sync_ProviderThrows_IsSyncLoadBalancerFailed()
    {
        _provider.FailEnsure = new InvalidOperationException("boom");
        _cluster.Put(Builders.LoadBalancer());
        await SyncAsync();
        Assert.Equal("Error syncing load balancer: failed to ensure load balancer: boom", _events.Events.Last().Message);
    }

    [Fact]
    public async Task Sync_FinalizerWriteFails_ProvisionsNothing()
    {
        _writer.FailNext = new HttpRequestException("conflict");
        _cluster.Put(Builders.LoadBalancer());

        var result = await SyncAsync();

        Assert.Equal("failed to add load balancer cleanup finalizer: conflict", result.Error);
        Assert.Empty(_provider.Running);
        Assert.Null(_allocator.Get(Key("default/web")));
    }

    [Fact]
    public async Task Sync_ProxyProtocol_IngressIpModeProxy()
    {
        var service = Builders.LoadBalancer();
        service.Metadata.Annotations[FerryAnnotations.ProxyProtocol] = "v1";
        _cluster.Put(service);
        await SyncAsync();
        Assert.Equal("Proxy", service.Status.LoadBalancer.Ingress[0].IpMode);
    }

    [Fact]
    public async Task Sync_OtherClass_NotOwnedAndNothingProvisioned()
    {
        var service = Builders.LoadBalancer();
        service.Spec.LoadBalancerClass = "other.example/lb";
        _cluster.Put(service);
        await SyncAsync();
        Assert.Empty(_provider.Running);
        Assert.Null(service.Metadata.Finalizers);
    }

    [Fact]
    public async Task Sync_ServiceGoneWithoutFinalizer_DeletesOrphanAndReleasesIp()
    {
        _cluster.Put(Builders.LoadBalancer());
        await SyncAsync();
        _cluster.Services.Clear();

        await SyncAsync();

        Assert.Empty(_provider.Running);
        Assert.Null(_allocator.Get(Key("default/web")));
    }

    [Fact]
    public async Task SyncBackends_NodeSetChanged_UpdatesOnlyBackendsWithEvents()
    {
        _cluster.Put(Builders.LoadBalancer());
        await SyncAsync();
        _timeline.Entries.Clear();

        Assert.True((await _reconciler.SyncBackendsAsync(Key("default/web"), TestContext.Current.CancellationToken)).Succeeded);
        Assert.Empty(_timeline.Entries);

        _cluster.Nodes.Add(Builders.Node("node-b", "192.0.2.2"));
        await _reconciler.SyncBackendsAsync(Key("default/web"), TestContext.Current.CancellationToken);
        Assert.Equal(["update default/web 192.0.2.1:30080,192.0.2.2:30080", "event UpdatedLoadBalancer"], _timeline.Entries);

        _cluster.Nodes.Clear();
        await _reconciler.SyncBackendsAsync(Key("default/web"), TestContext.Current.CancellationToken);
        Assert.Equal("event UnAvailableLoadBalancer", _timeline.Entries.Last());
    }

    [Fact]
    public async Task Sync_RequestedIpTaken_KeepsServingOldAddress()
    {
        _cluster.Put(Builders.LoadBalancer("a"));
        _cluster.Put(Builders.LoadBalancer("b"));
        await SyncAsync("default/a");
        await SyncAsync("default/b");
        _cluster.Services[Key("default/b")].Metadata.Annotations[FerryAnnotations.LoadBalancerIps] = "203.0.113.1";

        var result = await SyncAsync("default/b");

        Assert.Contains("address 203.0.113.1 is already in use by default/a", result.Error, StringComparison.Ordinal);
        Assert.Equal([IPAddress.Parse("203.0.113.2")], _provider.Running[new LoadBalancerKey("default", "b")].Addresses.AsImmutableArray());
    }
}
