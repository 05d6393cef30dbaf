using System.Net;
using Ferry.Contracts;
using Ferry.Contracts.Announcement;
using Ferry.Controller;
using Ferry.Controller.Informers;
using Ferry.Controller.KubernetesApi;
using Ferry.Controller.Serving;
using Ferry.Controller.Translation;
using Ferry.DataPlane;
using Ferry.DataPlane.Health;
using Ferry.Hosting.Serving;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.Hosting.Tests.Serving;

/// <summary>
/// A replica's <see cref="ServingController"/> against the embedded API server and a real data plane on
/// loopback: what it claims, serves, releases and reports, for the membership the test sets.
/// </summary>
public sealed class ServingControllerTests : IAsyncLifetime
{
    /// <summary>How long a handed-over address stays served here (long enough to look at it during the drain).</summary>
    private static readonly TimeSpan _drain = TimeSpan.FromSeconds(1.5);

    /// <summary>How long a peer must have owned an address for its successor to skip the probe (short for the test).</summary>
    private static readonly TimeSpan _handoverProbeGuard = TimeSpan.FromMilliseconds(500);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ElectionCluster _cluster = null!;
    private DataPlaneProvider _dataPlane = null!;
    private KubernetesEventRecorder _events = null!;
    private readonly StaticMembership _membership = new("me", "me");
    private readonly RecordingClaims _claims = new();

    /// <summary>The MACs the replica directory knows as other replicas' (a test adds one as if a Lease were listed).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _peerMacs = new() { ["02:00:00:00:00:0b"] = true };
    private readonly CancellationTokenSource _stop = new();
    private ServingController _serving = null!;
    private AnnouncedAddresses _announced = null!;
    private Task _running = Task.CompletedTask;
    private NodeLocalChecks _localChecks = null!;

    public async ValueTask InitializeAsync()
    {
        _cluster = await ElectionCluster.StartAsync();
        _dataPlane = DataPlaneFactory.Create(NullLoggerFactory.Instance, TimeProvider.System);
        _events = new KubernetesEventRecorder(_cluster.Client, TimeProvider.System, NullLogger<KubernetesEventRecorder>.Instance, "me", ServingEvents.Component);
        var pools = new[]
        {
            new AddressPool("lan", [AddressRange.Parse(_cluster.PoolPrefix + "0/25")]),
            new AddressPool("routed", [AddressRange.Parse(_cluster.PoolPrefix + "128/25")]),
        };
        // Fast node checks: a verdict per probe, a probe every 100 ms.
        _localChecks = new NodeLocalChecks(
            new ActiveHealthMonitorFactory(NullLoggerFactory.Instance, TimeProvider.System),
            new TranslationOptions { HealthCheckInterval = TimeSpan.FromMilliseconds(100), HealthCheckTimeout = TimeSpan.FromSeconds(1), HealthyThreshold = 1, UnhealthyThreshold = 1 });
        _announced = new AnnouncedAddresses(pools, [new PoolAnnouncement("lan", AnnouncementMode.Layer2, new EquatableArray<string>([])), PoolAnnouncement.NotAnnounced("routed")]);
        _serving = NewController(_membership, _claims, _dataPlane, _events, _localChecks);
        _running = _serving.RunAsync(_stop.Token);
    }

    /// <summary>A serving controller on this test's API server and pools, for the replica <paramref name="membership"/> names.</summary>
    private ServingController NewController(StaticMembership membership, RecordingClaims claims, DataPlaneProvider dataPlane, KubernetesEventRecorder events, NodeLocalChecks? localChecks = null)
    {
        var informers = new InformerOptions();
        var logs = NullLoggerFactory.Instance;
        return new ServingController(
            new ResourceInformer<V1Service>(ResourceSources.Services(_cluster.Client), informers, TimeProvider.System, SharedRandomSource.Instance, logs.CreateLogger("s")),
            new ResourceInformer<V1Node>(ResourceSources.Nodes(_cluster.Client), informers, TimeProvider.System, SharedRandomSource.Instance, logs.CreateLogger("n")),
            new ResourceInformer<V1EndpointSlice>(ResourceSources.EndpointSlices(_cluster.Client), informers, TimeProvider.System, SharedRandomSource.Instance, logs.CreateLogger("e")),
            new ServingOptions
            {
                Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints },
                HandoverDrain = _drain,
                HandoverProbeGuard = _handoverProbeGuard,
                // The test decides the owner: "other" whenever it is alive (hashing is ServingPlannerTests' and the lab's).
                ChooseOwner = (_, candidates) => candidates.Contains("other") ? "other" : candidates.Order(StringComparer.Ordinal).FirstOrDefault(),
            },
            _announced,
            membership,
            claims,
            _peerMacs.ContainsKey,
            dataPlane,
            events,
            TimeProvider.System,
            NullLogger<ServingController>.Instance,
            localChecks: localChecks);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // started by this test class
        await _running;
#pragma warning restore VSTHRD003
        await _dataPlane.DisposeAsync();
        await _localChecks.DisposeAsync();
        await _events.DisposeAsync();
        await _cluster.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task OwnedAddress_MadeLocalBeforeItsListenerBinds_AnnouncedOnceBound_ThenServes_AndTheServiceSaysWhichNodeAnnounces()
    {
        await using var backend = new GreetingBackend("pod-1");
        var boundAtClaim = new List<bool>();
        _claims.OnCall = call => boundAtClaim.Add(_dataPlane.GetStats(new LoadBalancerKey("default", "web")) is not null);
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "10");

        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "pod-1", "the VIP serves");
        // The announcing claim follows the bind within the same sync (loopback answers before it).
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Count >= 2), "the address is announced");

        Assert.Equal([$"claim {vip.Address} probe silent", $"claim {vip.Address}"], _claims.Calls);
        Assert.Equal([false, true], boundAtClaim);
        Assert.Equal([vip.Address], _serving.Owned);
        var assigned = await WaitForEventAsync("web", ServingEvents.NodeAssigned);
        Assert.Equal("announcing from node \"me\" with protocol \"layer2\"", assigned.Message);
        Assert.Equal("Normal", assigned.Type);
        Assert.Equal(ServingEvents.Component, assigned.Source.Component);
    }

    [Fact]
    public async Task AnotherReplicaBecomesOwner_SilentAtOnce_ServedThroughTheDrain_ThenListenerClosesBeforeTheAddressIsReleased()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "11");
        await ServedAndAnnouncedAsync(vip);
        var bound = new List<(string Call, bool Bound)>();
        _claims.OnCall = call => bound.Add((call, _dataPlane.GetStats(new LoadBalancerKey("default", "web")) is not null));

        _membership.Set("me", "other");

        // At once: no longer answered for, no longer owned, but still served for clients that have not moved yet.
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"stop-answering {vip.Address}")), "the address falls silent");
        // Owned is published at the end of the sync that stopped answering.
        await WaitUntilAsync(() => Task.FromResult(_serving.Owned.Count == 0), "the address is no longer owned");
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));

        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"release {vip.Address}")), "the address is released after the drain");
        Assert.Equal([($"stop-answering {vip.Address}", true), ($"release {vip.Address}", false)], bound);
        Assert.Null(await GreetingBackend.ReadAsync(vip, Ct));

        // The other replica dies: the address comes back at once, without a probe (a handover).
        _membership.Set("me");
        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "pod-1", "the VIP serves again");
        Assert.Equal([$"claim {vip.Address} silent", $"claim {vip.Address}"], _claims.Calls.TakeLast(2));
    }

    [Fact]
    public async Task AddressBackDuringItsDrain_ClaimedAgainWithoutProbe_NeverReleased()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "17");
        await ServedAndAnnouncedAsync(vip);

        _membership.Set("me", "other");
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"stop-answering {vip.Address}")), "the address falls silent");
        _membership.Set("me");
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls[^1] == $"claim {vip.Address}"), "the address is claimed again");

        // Past the drain's end: nothing released, the listener never closed.
        await Task.Delay(_drain + TimeSpan.FromMilliseconds(500), Ct);
        Assert.DoesNotContain($"release {vip.Address}", _claims.Calls);
        Assert.Equal([vip.Address], _serving.Owned);
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
    }

    [Fact]
    public async Task ReplicaJoins_AddressesKeptHere_AreAnnouncedAgain_ALeavingOneChangesNothing()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "19");
        await ServedAndAnnouncedAsync(vip);
        Assert.DoesNotContain($"announce-again {vip.Address}", _claims.Calls);

        // "third" may have announced the address in its own view before it heard this replica; "me" keeps it.
        _membership.Set("me", "third");

        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"announce-again {vip.Address}")), "the kept address is announced again");
        Assert.Equal([vip.Address], _serving.Owned);
        var syncs = _serving.Syncs;
        _membership.Set("me");
        await WaitUntilAsync(() => Task.FromResult(_serving.Syncs > syncs), "a sync after the replica left");
        Assert.Single(_claims.Calls, c => c == $"announce-again {vip.Address}");
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));
    }

    [Fact]
    public async Task AddressUsedByAnotherHost_NotClaimedNorServed_WarningEventSaysWhy()
    {
        await using var backend = new GreetingBackend("pod-1");
        var address = IPAddress.Parse(_cluster.PoolPrefix + "12");
        _claims.ProbeAnswers[address] = AddressClaimResult.Conflict("02:00:00:00:00:99", "on eth0");
        await ServiceAsync("web", 8080, backend, address.ToString());

        var conflict = await WaitForEventAsync("web", ServingEvents.AddressConflict);

        Assert.Equal("Warning", conflict.Type);
        Assert.Equal($"address {address} is already in use on the LAN (02:00:00:00:00:99 answered: on eth0); node \"me\" does not announce it", conflict.Message);
        Assert.Null(_dataPlane.GetStats(new LoadBalancerKey("default", "web")));
        Assert.Empty(_serving.Owned);
        Assert.Equal([$"claim {address} probe silent"], _claims.Calls);
    }

    [Fact]
    public async Task Refusal_ByAMacLaterKnownAsAReplicas_IsAHandover_ClaimedAtOnce()
    {
        await using var backend = new GreetingBackend("pod-1");
        var address = IPAddress.Parse(_cluster.PoolPrefix + "20");
        _claims.ProbeAnswers[address] = AddressClaimResult.Conflict("02:00:00:00:00:0c", "on eth0");
        var vip = await ServiceAsync("web", 8080, backend, address.ToString());
        await WaitForEventAsync("web", ServingEvents.AddressConflict);
        await Task.Delay(300, Ct);
        Assert.DoesNotContain($"claim {address} silent", _claims.Calls);

        // The MAC that answered turns out to be a replica's (its Lease is listed now): judged again at once,
        // not a resync interval (30 s) later, and claimed as a handover.
        _peerMacs["02:00:00:00:00:0c"] = true;
        var known = System.Diagnostics.Stopwatch.StartNew();
        _serving.Resync();

        await ServedAndAnnouncedAsync(vip);
        Assert.True(known.Elapsed < TimeSpan.FromSeconds(10), $"served {known.Elapsed} after the MAC was known: the refusal waited for the resync");
        Assert.Contains($"claim {address} silent", _claims.Calls);
    }

    [Theory]
    [InlineData("held", false)]
    [InlineData("just-chosen", true)]
    [InlineData("found-in-use", true)]
    public async Task AddressFromAPeerThatDies_IsClaimedWithoutAProbe_OnlyIfThePeerHeldItLongEnoughAndFoundNoConflict(string case_, bool probed)
    {
        await using var backend = new GreetingBackend("pod-1");
        _membership.Set("me", "other"); // "other" owns whatever it is alive for
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "21");
        await WaitUntilAsync(() => Task.FromResult(_serving.Plan.OwnerOf(vip.Address) == "other"), "the peer owns the address");
        if (case_ != "just-chosen")
        {
            await Task.Delay(_handoverProbeGuard + TimeSpan.FromMilliseconds(200), Ct);
        }

        if (case_ == "found-in-use")
        {
            _membership.Withdraw("other", $"address-conflict/{vip.Address}");
        }

        _membership.Set("me"); // the peer dies

        await ServedAndAnnouncedAsync(vip);
        Assert.Equal(probed, _claims.Calls.Contains($"claim {vip.Address} probe silent"));
        Assert.Equal(!probed, _claims.Calls.Contains($"claim {vip.Address} silent"));
    }

    [Fact]
    public async Task AddressFoundInUse_IsToldToThePeers_UntilItIsClaimed()
    {
        await using var backend = new GreetingBackend("pod-1");
        var address = IPAddress.Parse(_cluster.PoolPrefix + "22");
        _claims.ProbeAnswers[address] = AddressClaimResult.Conflict("02:00:00:00:00:99", "on eth0");
        var vip = await ServiceAsync("web", 8080, backend, address.ToString());
        await WaitUntilAsync(() => Task.FromResult(_membership.OwnWithdrawn.Contains($"address-conflict/{address}")), "the conflict is told to the peers");

        _claims.ProbeAnswers.TryRemove(address, out _);
        _peerMacs["02:00:00:00:00:99"] = true; // it was a replica's after all: judged again
        _serving.Resync();
        await ServedAndAnnouncedAsync(vip);
        Assert.DoesNotContain($"address-conflict/{address}", _membership.OwnWithdrawn);
    }

    [Fact]
    public async Task AnswerFromAnotherReplica_IsAHandoverNotAConflict()
    {
        await using var backend = new GreetingBackend("pod-1");
        var address = IPAddress.Parse(_cluster.PoolPrefix + "13");
        _claims.ProbeAnswers[address] = AddressClaimResult.Conflict("02:00:00:00:00:0b", "on eth0");
        var vip = await ServiceAsync("web", 8080, backend, address.ToString());

        await ServedAndAnnouncedAsync(vip);

        Assert.Equal([$"claim {address} probe silent", $"claim {address} silent", $"claim {address}"], _claims.Calls);
    }

    [Fact]
    public async Task AddressOfAPoolThatIsNotAnnounced_IsLeftToTheLeader()
    {
        await using var backend = new GreetingBackend("pod-1");
        await ServiceAsync("routed", 8080, backend, _cluster.PoolPrefix + "200");
        await using var other = new GreetingBackend("pod-2");
        var vip = await ServiceAsync("web", 8080, other, _cluster.PoolPrefix + "14");

        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "pod-2", "the announced VIP serves");
        // The listener binds inside the sync; the served set is updated at its end.
        await WaitUntilAsync(() => Task.FromResult(_serving.Serves(new LoadBalancerKey("default", "web"))), "the replica serves web");

        Assert.Null(_dataPlane.GetStats(new LoadBalancerKey("default", "routed")));
        Assert.False(_serving.Serves(new LoadBalancerKey("default", "routed")));
        Assert.DoesNotContain(_claims.Calls, c => c.Contains(".200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PoolAnnouncedWhileRunning_ItsAddressIsClaimedAndServed_AndGivenUpWhenNoLongerAnnounced()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("routed", 8080, backend, _cluster.PoolPrefix + "201");
        await WaitUntilAsync(() => Task.FromResult(_serving.Syncs > 1), "a sync with the Service known");
        Assert.False(_serving.Serves(new LoadBalancerKey("default", "routed")));
        var pools = new[]
        {
            new AddressPool("lan", [AddressRange.Parse(_cluster.PoolPrefix + "0/25")]),
            new AddressPool("routed", [AddressRange.Parse(_cluster.PoolPrefix + "128/25")]),
        };

        // An AddressPool object (or an L2Advertisement) now announces "routed".
        Assert.True(_announced.Update(pools, [PoolAnnouncement.NotAnnounced("lan"), new PoolAnnouncement("routed", AnnouncementMode.Layer2, new EquatableArray<string>([]))]));
        _serving.Resync();

        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "pod-1", "the newly announced VIP serves");
        Assert.Contains($"claim {vip.Address}", _claims.Calls);
        Assert.Equal([vip.Address], _serving.Owned);

        // No longer announced: given up (released at once, nobody else owns it).
        Assert.True(_announced.Update(pools, [PoolAnnouncement.NotAnnounced("lan"), PoolAnnouncement.NotAnnounced("routed")]));
        _serving.Resync();
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"release {vip.Address}")), "the address is released");
        Assert.Empty(_serving.Owned);
    }

    [Fact]
    public async Task ExternalTrafficPolicyLocal_OnlyTheReplicaOnANodeWithAReadyEndpointAnnounces()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("local", 8080, backend, _cluster.PoolPrefix + "15", trafficPolicy: "Local", endpointNode: "node-x");
        await WaitUntilAsync(() => Task.FromResult(_serving.Syncs > 1 && _serving.Plan.Addresses.ContainsKey(vip.Address)), "the plan holds the address");

        Assert.Null(_serving.Plan.OwnerOf(vip.Address));
        Assert.Empty(_claims.Calls);

        // The endpoint moves to this replica's node: it becomes eligible and announces.
        var slice = await _cluster.Client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("local-1", "default", cancellationToken: Ct);
        slice.Endpoints[0].NodeName = "me";
        await _cluster.Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, "local-1", "default", cancellationToken: Ct);

        await ServedAndAnnouncedAsync(vip);
        Assert.Equal("me", _serving.Plan.OwnerOf(vip.Address));
    }

    [Fact]
    public async Task ExternalTrafficPolicyLocal_ToNodePorts_TheNodesHealthCheckDecides_HereAndThroughThePeersWithdrawals()
    {
        // This node ("me") carries the NodePort (the backend) and kube-proxy's healthCheckNodePort on one address.
        // Ports in the NodePort range (the API checks both) on an address of their own: nothing else binds there.
        var nodeAddress = LoopbackServer.RandomLoopbackAddress();
        var port = Random.Shared.Next(30000, 32767);
        await using var nodePort = new GreetingBackend(new IPEndPoint(nodeAddress, port), "node-me");
        var localEndpoints = 0;
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var healthCheck = LoopbackServer.KubeProxyHealthz(() => Volatile.Read(ref localEndpoints), requests, new IPEndPoint(nodeAddress, port + 1));
        await NodeAsync("me", nodePort.EndPoint.Address);
        await NodeAsync("peer", IPAddress.Parse("192.0.2.9"));
        _membership.Set("me", "peer");
        var vip = await NodePortServiceAsync("hc", nodePort.EndPoint.Port, healthCheck.EndPoint.Port, _cluster.PoolPrefix + "19", ["me", "peer"]);
        var key = "default/hc";

        // 503 here: this replica withdraws (and says so to the others), so the peer owns the address.
        await WaitUntilAsync(() => Task.FromResult(_serving.Plan.OwnerOf(vip.Address) == "peer" && _membership.OwnWithdrawn.Contains(key)), "the peer owns it while this node's check fails");
        Assert.Contains(requests, r => r.StartsWith("GET /healthz ", StringComparison.Ordinal));
        Assert.DoesNotContain($"claim {vip.Address}", _claims.Calls);

        // 200 here: this replica is a candidate again and, first by name, owns and serves through its NodePort.
        Volatile.Write(ref localEndpoints, 1);
        await WaitUntilAsync(() => Task.FromResult(_serving.Plan.OwnerOf(vip.Address) == "me" && _membership.OwnWithdrawn.Count == 0), "this replica owns it once its check passes");
        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "node-me", "the VIP serves through the NodePort");

        // The peer's check fails: it withdraws, which changes nothing while this node passes...
        _membership.Withdraw("peer", key);
        await Task.Delay(300, Ct);
        Assert.Equal("me", _serving.Plan.OwnerOf(vip.Address));

        // ...and when this node fails too, nobody is eligible: nobody announces.
        Volatile.Write(ref localEndpoints, 0);
        await WaitUntilAsync(() => Task.FromResult(_serving.Plan.Addresses.ContainsKey(vip.Address) && _serving.Plan.OwnerOf(vip.Address) is null), "nobody owns it");
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"release {vip.Address}")), "the address is released");
    }

    [Fact]
    public async Task Stop_Alone_ClosesListenersThenReleasesEveryAddressAtOnce()
    {
        await using var backend = new GreetingBackend("pod-1");
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "16");
        await ServedAndAnnouncedAsync(vip);
        var boundAtRelease = new List<bool>();
        _claims.OnCall = call => boundAtRelease.Add(_dataPlane.GetStats(new LoadBalancerKey("default", "web")) is not null);

        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // started by this test class
        await _running;
#pragma warning restore VSTHRD003

        // No other replica could take the address over: nothing to drain for.
        Assert.Equal($"release {vip.Address}", _claims.Calls[^1]);
        Assert.DoesNotContain($"stop-answering {vip.Address}", _claims.Calls);
        Assert.Equal([false], boundAtRelease);
        Assert.Empty(_serving.Owned);
    }

    [Fact]
    public async Task CleanStop_WithAPeerAlive_FallsSilentFirst_ServesThroughTheDrain_ThenClosesAndReleases()
    {
        await using var backend = new GreetingBackend("pod-1");
        _membership.Set("me", "peer");
        var vip = await ServiceAsync("web", 8080, backend, _cluster.PoolPrefix + "18");
        await ServedAndAnnouncedAsync(vip);
        var bound = new List<(string Call, bool Bound)>();
        _claims.OnCall = call => bound.Add((call, _dataPlane.GetStats(new LoadBalancerKey("default", "web")) is not null));

        // A clean stop's first step (before the membership says goodbye): silent, and still serving.
        await _serving.FallSilentAsync(TimeSpan.FromSeconds(10));
        Assert.Contains($"stop-answering {vip.Address}", _claims.Calls);
        Assert.Empty(_serving.Owned);
        Assert.Equal("pod-1", await GreetingBackend.ReadAsync(vip, Ct));

        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // started by this test class
        await _running;
#pragma warning restore VSTHRD003

        Assert.Equal([($"stop-answering {vip.Address}", true), ($"release {vip.Address}", false)], bound);
        Assert.Null(await GreetingBackend.ReadAsync(vip, Ct));
        Assert.Empty(_serving.Owned);
    }

    /// <summary>A LoadBalancer Service with one endpoint and the address the leader would have written into its status.</summary>
    private async Task<IPEndPoint> ServiceAsync(string name, int port, GreetingBackend backend, string address, string trafficPolicy = "Cluster", string? endpointNode = null)
    {
        var client = _cluster.Client;
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec
                {
                    Type = "LoadBalancer",
                    ExternalTrafficPolicy = trafficPolicy,
                    Ports = [new V1ServicePort { Name = "main", Port = port, TargetPort = backend.EndPoint.Port, Protocol = "TCP" }],
                },
            },
            "default",
            cancellationToken: Ct);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "main", Port = backend.EndPoint.Port, Protocol = "TCP" }],
                Endpoints = [new V1Endpoint { Addresses = [backend.EndPoint.Address.ToString()], NodeName = endpointNode, Conditions = new V1EndpointConditions { Ready = true } }],
            },
            "default",
            cancellationToken: Ct);
        var status = "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + address + "\",\"ipMode\":\"VIP\"}]}}}";
        await client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), name, "default", cancellationToken: Ct);
        return new IPEndPoint(IPAddress.Parse(address), port);
    }

    private async Task NodeAsync(string name, IPAddress address) =>
        await _cluster.Client.CoreV1.CreateNodeAsync(
            new V1Node
            {
                Metadata = new V1ObjectMeta { Name = name },
                Status = new V1NodeStatus
                {
                    Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address.ToString() }],
                    Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
                },
            },
            cancellationToken: Ct);

    /// <summary>An <c>externalTrafficPolicy: Local</c> Service whose traffic goes to the nodes' NodePorts, with ready endpoints on <paramref name="endpointNodes"/>.</summary>
    private async Task<IPEndPoint> NodePortServiceAsync(string name, int nodePort, int healthCheckNodePort, string address, string[] endpointNodes)
    {
        var client = _cluster.Client;
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Annotations = new Dictionary<string, string> { [FerryAnnotations.Targets] = "nodes" } },
                Spec = new V1ServiceSpec
                {
                    Type = "LoadBalancer",
                    ExternalTrafficPolicy = "Local",
                    HealthCheckNodePort = healthCheckNodePort,
                    Ports = [new V1ServicePort { Name = "main", Port = 8080, TargetPort = 9376, NodePort = nodePort, Protocol = "TCP" }],
                },
            },
            "default",
            cancellationToken: Ct);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = name + "-1", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = "main", Port = 9376, Protocol = "TCP" }],
                Endpoints = [.. endpointNodes.Select((node, i) => new V1Endpoint { Addresses = [$"198.51.100.{i + 1}"], NodeName = node, Conditions = new V1EndpointConditions { Ready = true } })],
            },
            "default",
            cancellationToken: Ct);
        var status = "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + address + "\",\"ipMode\":\"VIP\"}]}}}";
        await client.CoreV1.PatchNamespacedServiceStatusAsync(new V1Patch(status, V1Patch.PatchType.MergePatch), name, "default", cancellationToken: Ct);
        return new IPEndPoint(IPAddress.Parse(address), 8080);
    }

    private async Task<Corev1Event> WaitForEventAsync(string service, string reason)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (DateTime.UtcNow < deadline)
        {
            var events = await _cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={service}", cancellationToken: Ct);
            if (events.Items.FirstOrDefault(e => e.Reason == reason) is { } found)
            {
                return found;
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException($"no {reason} Event on {service} within {ElectionCluster.Wait}");
    }

    /// <summary>Waits until the VIP serves and its announcing claim was made (loopback answers as soon as the listener binds, a moment before).</summary>
    private async Task ServedAndAnnouncedAsync(IPEndPoint vip)
    {
        await WaitUntilAsync(async () => await GreetingBackend.ReadAsync(vip, Ct) == "pod-1", "the VIP serves");
        await WaitUntilAsync(() => Task.FromResult(_claims.Calls.Contains($"claim {vip.Address}")), "the address is announced");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + ElectionCluster.Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50, Ct);
        }

        throw new TimeoutException($"{what}: not within {ElectionCluster.Wait}");
    }
}
