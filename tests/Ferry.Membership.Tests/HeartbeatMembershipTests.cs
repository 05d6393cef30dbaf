using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using static Ferry.Membership.Tests.MembershipCluster;

namespace Ferry.Membership.Tests;

/// <summary>Real UDP on 127.0.0.1: several memberships in this process, each on its own port.</summary>
public sealed class HeartbeatMembershipTests : IAsyncDisposable
{
    private readonly MembershipCluster _cluster = new();

    /// <summary>For tests about something else than detection: a loaded test machine must not make a peer look dead.</summary>
    private static MembershipOptions Steady(MembershipOptions options) => options with { FailureTimeout = TimeSpan.FromSeconds(2) };

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task OneSidedDiscovery_IsEnough_ForBothToSeeEachOther()
    {
        var a = await _cluster.StartAsync("a", Steady);
        var b = await _cluster.StartAsync("b", Steady);
        b.SetPeers([]);

        a.SetPeers([Address("b", b)]);

        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(b, "a")));
        Assert.True(Peer(a, "b")!.Discovered);
        Assert.False(Peer(b, "a")!.Discovered); // learned from a's heartbeats
        Assert.Equal(a.LocalEndpoint, Peer(b, "a")!.Endpoint);
        Assert.Equal(["a", "b"], a.Current.Live);
        Assert.Equal(["a", "b"], b.Current.Live);
        Assert.Single(await _cluster.LoggedAsync(b, 8607)); // PeerLearned
        Assert.True(await EventuallyAsync(() => a.Current.Settled && b.Current.Settled));
    }

    [Fact]
    public async Task NotSettled_UntilPeersAreSetAndOneTimeoutHasPassed()
    {
        var a = await _cluster.StartAsync("a");
        var settled = new TaskCompletionSource<MembershipView>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Changed += view =>
        {
            if (view.Settled)
            {
                settled.TrySetResult(view);
            }
        };

        Assert.False(a.Current.Settled);
        a.SetPeers([]);

        var view = await settled.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal(["a"], view.Live);
    }

    [Fact]
    public async Task Crash_WithoutLeaving_IsDetected_AndTheDiscoveredPeerStaysKnown()
    {
        var a = await _cluster.StartAsync("a");
        var b = await _cluster.StartAsync("b");
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        Assert.True(await EventuallyAsync(() => IsAlive(a, "b")));
        var views = new List<MembershipView>();
        a.Changed += view => { lock (views) { views.Add(view); } };

        await b.DisposeAsync(); // no goodbye: a must notice the silence

        Assert.True(await EventuallyAsync(() => !IsAlive(a, "b")));
        Assert.Equal(["a"], a.Current.Live);
        var known = Peer(a, "b")!;
        Assert.True(known.Discovered);
        Assert.NotNull(known.LastHeard);
        Assert.Single(await _cluster.LoggedAsync(a, 8602), r => r.Level == LogLevel.Warning); // PeerDead
        Assert.True(await EventuallyAsync(() => { lock (views) { return views.Any(v => v.Live.SequenceEqual(["a"])); } }));
    }

    [Fact]
    public async Task PathBrokenBetweenTwo_ThirdVouches_AllThreeAgreeOnTheLiveSet_AndACrashIsStillSeen()
    {
        var a = await _cluster.StartAsync("a");
        var b = await _cluster.StartAsync("b");
        var c = await _cluster.StartAsync("c");
        var nowhere = new IPEndPoint(IPAddress.Loopback, 9); // discard: what a filter between a and b amounts to
        a.SetPeers([new PeerAddress("b", nowhere), Address("c", c)]);
        b.SetPeers([new PeerAddress("a", nowhere), Address("c", c)]);
        c.SetPeers([Address("a", a), Address("b", b)]);

        Assert.True(await EventuallyAsync(() => a.Current.Live.SequenceEqual(["a", "b", "c"]) && b.Current.Live.SequenceEqual(["a", "b", "c"]) && c.Current.Live.SequenceEqual(["a", "b", "c"])));
        Assert.False(Peer(a, "b")!.HeardDirectly);
        Assert.False(Peer(b, "a")!.HeardDirectly);
        Assert.True(Peer(a, "c")!.HeardDirectly);
        var warning = Assert.Single(await _cluster.LoggedAsync(a, 8615)); // PeerHeardIndirectly
        Assert.Contains("only c hears it", warning.Message, StringComparison.Ordinal);

        // Steady for a while (once settled): no flapping.
        Assert.True(await EventuallyAsync(() => a.Current.Settled));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        var flaps = new List<MembershipView>();
        a.Changed += view => { lock (flaps) { flaps.Add(view); } };
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        lock (flaps)
        {
            Assert.Empty(flaps);
        }

        await b.DisposeAsync(); // crash: c stops vouching, so a sees b dead too
        Assert.True(await EventuallyAsync(() => !IsAlive(a, "b") && !IsAlive(c, "b")));
        Assert.Equal(["a", "c"], a.Current.Live);
    }

    [Fact]
    public async Task APeerIsACandidateOnlyOnceItSaysItIsReady_AndNoLongerOnceItLeaves()
    {
        var a = await _cluster.StartAsync("a", Steady);
        var b = await _cluster.StartAsync("b", Steady);
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        a.SetReady(true);
        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(b, "a") && b.Current.Candidates.SequenceEqual(["a"])));
        Assert.Equal(["a"], a.Current.Candidates); // b is alive, not ready: no candidate yet
        Assert.Equal(["a", "b"], a.Current.Live);

        var views = new List<MembershipView>();
        a.Changed += view => { lock (views) { views.Add(view); } };
        b.SetReady(true);
        Assert.True(await EventuallyAsync(() => a.Current.Candidates.SequenceEqual(["a", "b"])));
        Assert.True(await EventuallyAsync(() => { lock (views) { return views.Any(v => v.Candidates.SequenceEqual(["a", "b"])); } }));

        await b.LeaveAsync(TestContext.Current.CancellationToken);
        Assert.True(await EventuallyAsync(() => a.Current.Candidates.SequenceEqual(["a"])));
        Assert.DoesNotContain("b", b.Current.Candidates);
    }

    [Fact]
    public async Task Withdrawn_ReachesThePeers_AndClearing_IsSeenToo()
    {
        var a = await _cluster.StartAsync("a", Steady);
        var b = await _cluster.StartAsync("b", Steady);
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        var changed = 0;
        b.Changed += _ => Interlocked.Increment(ref changed);

        a.SetWithdrawn(["default/web", "default/web", "other/udp"]);

        Assert.True(await EventuallyAsync(() => Peer(b, "a")?.Withdraws("default/web") == true && Peer(b, "a")!.Withdraws("other/udp")));
        Assert.False(Peer(b, "a")!.Withdraws("default/api"));
        Assert.True(await EventuallyAsync(() => Volatile.Read(ref changed) > 0));

        a.SetWithdrawn([]);
        Assert.True(await EventuallyAsync(() => Peer(b, "a")!.WithdrawnHashes.IsEmpty));
    }

    [Fact]
    public async Task Leave_IsSeenAtOnce_NotAfterTheTimeout()
    {
        // a would wait a minute to notice silence: seeing b dead within the poll bound proves the goodbye worked.
        var a = await _cluster.StartAsync("a", o => o with { FailureTimeout = TimeSpan.FromMinutes(1), ForgetAfter = TimeSpan.FromMinutes(2) });
        var b = await _cluster.StartAsync("b");
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(b, "a")));

        var bViews = new List<MembershipView>();
        b.Changed += view => { lock (bViews) { bViews.Add(view); } };

        await b.LeaveAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["a"], b.Current.Live); // b no longer counts itself, and says so
        Assert.True(await EventuallyAsync(() => { lock (bViews) { return bViews.Any(v => v.Live.SequenceEqual(["a"])); } }));
        Assert.True(await EventuallyAsync(() => !IsAlive(a, "b"), seconds: 20));
        Assert.Equal(["a"], a.Current.Live);
        Assert.Single(await _cluster.LoggedAsync(a, 8603)); // PeerLeft
        Assert.Empty(_cluster.Records(a, 8602)); // not PeerDead: nothing timed out
    }

    [Fact]
    public async Task Restart_WithANewIncarnation_IsAliveAgain()
    {
        var a = await _cluster.StartAsync("a");
        var b = await _cluster.StartAsync("b");
        var port = b.LocalEndpoint.Port;
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        Assert.True(await EventuallyAsync(() => IsAlive(a, "b")));
        var first = Peer(a, "b")!.Incarnation;
        Assert.Equal(b.Incarnation, first);

        await b.DisposeAsync();
        Assert.True(await EventuallyAsync(() => !IsAlive(a, "b")));
        var restarted = await _cluster.StartAsync("b", port: port);
        restarted.SetPeers([Address("a", a)]);

        Assert.True(await EventuallyAsync(() => IsAlive(a, "b")));
        Assert.Equal(restarted.Incarnation, Peer(a, "b")!.Incarnation);
        Assert.True(restarted.Incarnation > first);
        Assert.Single(await _cluster.LoggedAsync(a, 8604)); // PeerRestarted
    }

    [Fact]
    public async Task WrongKey_IsDroppedAndCounted_AndLoggedOnce()
    {
        var key = Encoding.UTF8.GetBytes("the cluster's shared key, 32 b.");
        var otherKey = Encoding.UTF8.GetBytes("somebody else's key, also long.");
        var a = await _cluster.StartAsync("a", o => Steady(o) with { SharedKey = key });
        var b = await _cluster.StartAsync("b", o => Steady(o) with { SharedKey = key });
        var intruder = await _cluster.StartAsync("intruder", o => o with { SharedKey = otherKey });
        using var dropped = new MetricCollector<long>(a.Meter, "ferry.membership.datagrams.dropped");
        a.SetPeers([Address("b", b), Address("intruder", intruder)]);
        b.SetPeers([Address("a", a)]);
        intruder.SetPeers([Address("a", a), Address("b", b)]);

        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(b, "a")));
        Assert.True(await EventuallyAsync(() => BadKeyDrops() >= 10));

        Assert.False(IsAlive(a, "intruder"));
        Assert.DoesNotContain(b.Current.Peers, p => p.Name == "intruder"); // never learned
        Assert.Empty(intruder.Current.Peers.Where(p => p.Alive));
        Assert.Equal(["a", "b"], a.Current.Live);
        var logged = Assert.Single(await _cluster.LoggedAsync(a, 8606)); // DatagramDropped, throttled
        Assert.Contains("bad_key", logged.Message, StringComparison.Ordinal);

        long BadKeyDrops() => dropped.GetMeasurementSnapshot().Where(m => m.Tags["reason"] as string == "bad_key").Sum(m => m.Value);
    }

    [Fact]
    public async Task DigestMismatch_IsReported_AndEqualDigestsAreNot()
    {
        var a = await _cluster.StartAsync("a", o => o with { ConfigDigest = "pools-1" });
        var b = await _cluster.StartAsync("b", o => o with { ConfigDigest = "pools-2" });
        var c = await _cluster.StartAsync("c", o => o with { ConfigDigest = "pools-1" });
        a.SetPeers([Address("b", b), Address("c", c)]);

        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(a, "c")));

        Assert.Equal("pools-2", Peer(a, "b")!.ConfigDigest);
        Assert.Equal("pools-1", Peer(a, "c")!.ConfigDigest);
        var warning = Assert.Single(await _cluster.LoggedAsync(a, 8605)); // PeerConfigDigestDiffers
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Peer b", warning.Message, StringComparison.Ordinal);
        Assert.Contains("pools-2", warning.Message, StringComparison.Ordinal);
        Assert.Equal("pools-1", Peer(b, "a")!.ConfigDigest);
        Assert.Single(await _cluster.LoggedAsync(b, 8605));
    }

    [Fact]
    public async Task SteadyHeartbeats_RaiseNoChanged()
    {
        var a = await _cluster.StartAsync("a", Steady);
        var b = await _cluster.StartAsync("b", Steady);
        using var received = new MetricCollector<long>(a.Meter, "ferry.membership.heartbeats.received");
        var views = new List<MembershipView>();
        a.Changed += view => { lock (views) { views.Add(view); } };
        a.SetPeers([Address("b", b)]);
        b.SetPeers([Address("a", a)]);
        Assert.True(await EventuallyAsync(() => Published() is { Settled: true } last && last.Live.SequenceEqual(["a", "b"])));
        var changes = Count();
        var heard = Received();

        Assert.True(await EventuallyAsync(() => Received() >= heard + 30));

        Assert.Equal(changes, Count());
        Assert.True(IsAlive(a, "b"));

        MembershipView? Published() { lock (views) { return views.LastOrDefault(); } }
        int Count() { lock (views) { return views.Count; } }

        long Received() => received.GetMeasurementSnapshot().Sum(m => m.Value);
    }

    [Fact]
    public async Task ABlockedChangedHandler_DoesNotStopHeartbeats()
    {
        var a = await _cluster.StartAsync("a");
        var b = await _cluster.StartAsync("b");
        using var received = new MetricCollector<long>(a.Meter, "ferry.membership.heartbeats.received");
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Changed += _ =>
        {
            entered.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
        };
        a.SetPeers([Address("b", b)]);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        try
        {
            // The handler is stuck, yet heartbeats are taken in and the view moves on.
            var heard = Received();
            Assert.True(await EventuallyAsync(() => Received() >= heard + 10 && IsAlive(a, "b")));
        }
        finally
        {
            release.Set();
        }

        long Received() => received.GetMeasurementSnapshot().Sum(m => m.Value);
    }

    [Fact]
    public async Task ThrowingChangedHandler_IsLogged_AndLaterChangesStillArrive()
    {
        var a = await _cluster.StartAsync("a");
        var b = await _cluster.StartAsync("b");
        var views = 0;
        a.Changed += _ => throw new InvalidOperationException("handler bug");
        a.Changed += _ => Interlocked.Increment(ref views);
        a.SetPeers([Address("b", b)]);

        Assert.True(await EventuallyAsync(() => _cluster.Records(a, 8610).Count > 0 && Volatile.Read(ref views) > 0));
        var before = Volatile.Read(ref views);
        await b.DisposeAsync();

        // Each handler is called on its own: the faulty one neither stops the other nor later notifications.
        Assert.True(await EventuallyAsync(() => !IsAlive(a, "b") && Volatile.Read(ref views) > before));
        Assert.True(_cluster.Records(a, 8610).Count >= 2);
    }

    [Fact]
    public async Task Metrics_CountHeartbeatsAndPeers()
    {
        var a = await _cluster.StartAsync("a", Steady);
        var b = await _cluster.StartAsync("b", Steady);
        using var sent = new MetricCollector<long>(a.Meter, "ferry.membership.heartbeats.sent");
        using var alive = new MetricCollector<int>(a.Meter, "ferry.membership.peers.alive");
        using var known = new MetricCollector<int>(a.Meter, "ferry.membership.peers.known");
        using var indirect = new MetricCollector<int>(a.Meter, "ferry.membership.peers.indirect");
        a.SetPeers([Address("b", b), new PeerAddress("ghost", new IPEndPoint(IPAddress.Loopback, 9))]);
        b.SetPeers([Address("a", a)]);
        Assert.True(await EventuallyAsync(() => IsAlive(a, "b")));
        Assert.True(await EventuallyAsync(() => sent.GetMeasurementSnapshot().Sum(m => m.Value) >= 4));

        alive.RecordObservableInstruments();
        known.RecordObservableInstruments();
        indirect.RecordObservableInstruments();

        Assert.Equal(1, alive.LastMeasurement!.Value);
        Assert.Equal(0, indirect.LastMeasurement!.Value);
        Assert.Equal(2, known.LastMeasurement!.Value);
    }

    [Fact]
    public async Task TakenPort_FailsStart_WithAClearError()
    {
        var a = await _cluster.StartAsync("a");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.StartAsync("b", port: a.LocalEndpoint.Port));

        Assert.Contains($"UDP {a.LocalEndpoint}", error.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADatagramWithOurNameFromAnotherProcess_IsADuplicateName()
    {
        var a = await _cluster.StartAsync("a");
        var impostor = await _cluster.StartAsync("a");
        impostor.SetPeers([new PeerAddress("real-a", a.LocalEndpoint)]);

        Assert.True(await EventuallyAsync(() => _cluster.Records(a, 8606).Count > 0));
        Assert.Contains("duplicate_name", _cluster.Records(a, 8606)[0].Message, StringComparison.Ordinal);
        Assert.Empty(a.Current.Peers);
    }

    [Fact]
    public async Task Ipv6Loopback_Works_AndAnIpv4PeerIsReportedUnreachable()
    {
        Assert.SkipUnless(Ipv6LoopbackAvailable(), "no IPv6 loopback (::1) on this machine");
        var a = await _cluster.StartAsync("a", o => Steady(o) with { Listen = new IPEndPoint(IPAddress.IPv6Loopback, 0) });
        var b = await _cluster.StartAsync("b", o => Steady(o) with { Listen = new IPEndPoint(IPAddress.IPv6Loopback, 0) });
        var v4 = await _cluster.StartAsync("v4");

        a.SetPeers([Address("b", b), Address("v4", v4)]);

        Assert.True(await EventuallyAsync(() => IsAlive(a, "b") && IsAlive(b, "a")));
        Assert.Equal(a.LocalEndpoint, Peer(b, "a")!.Endpoint);
        var unreachable = Assert.Single(await _cluster.LoggedAsync(a, 8612));
        Assert.Contains("v4", unreachable.Message, StringComparison.Ordinal);
        Assert.False(IsAlive(a, "v4"));
    }

    private static bool Ipv6LoopbackAvailable()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
