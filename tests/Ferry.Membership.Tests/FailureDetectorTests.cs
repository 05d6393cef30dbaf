using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.Membership.Tests;

public class FailureDetectorTests
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan _forgetAfter = TimeSpan.FromSeconds(60);
    private static readonly IPEndPoint _bEndpoint = new(IPAddress.Loopback, 7001);
    private static readonly IPEndPoint _cEndpoint = new(IPAddress.Loopback, 7002);

    private readonly FakeTimeProvider _time = new();
    private readonly FailureDetector _detector;

    public FailureDetectorTests() => _detector = new FailureDetector("a", _timeout, _forgetAfter, _time);

    [Fact]
    public void DiscoveredPeer_IsDeadUntilHeard_ThenAlive()
    {
        Assert.Contains(_detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]), t => t.Kind == PeerTransitionKind.Discovered);
        Assert.False(Peer("b").Alive);
        Assert.Null(Peer("b").LastHeard);

        var result = _detector.Heard(Beat("b", 1, 1), _bEndpoint);

        Assert.Equal(HeardVerdict.Accepted, result.Verdict);
        Assert.Contains(result.Transitions, t => t.Kind == PeerTransitionKind.Alive);
        Assert.True(Peer("b").Alive);
        Assert.Equal(_time.GetUtcNow(), Peer("b").LastHeard);
        Assert.Equal(1UL, Peer("b").Incarnation);
    }

    [Fact]
    public void Peer_StaysAliveUpToTheTimeout_AndDiesJustPastIt()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]);
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);

        _time.Advance(_timeout);
        Assert.Empty(_detector.Evaluate());
        Assert.True(Peer("b").Alive);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var transitions = _detector.Evaluate();

        var dead = Assert.Single(transitions);
        Assert.Equal(PeerTransitionKind.Dead, dead.Kind);
        Assert.Equal("b", dead.Name);
        Assert.False(Peer("b").Alive);
        Assert.Empty(_detector.Evaluate()); // reported once
    }

    [Fact]
    public void RegularHeartbeats_KeepAPeerAlive_WithoutTransitions()
    {
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);
        for (ulong sequence = 2; sequence < 50; sequence++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            var result = _detector.Heard(Beat("b", 1, sequence), _bEndpoint);
            Assert.Empty(result.Transitions);
            Assert.Empty(_detector.Evaluate());
        }

        Assert.True(Peer("b").Alive);
    }

    [Fact]
    public void DeadPeer_HeardAgain_WithTheSameIncarnation_IsAliveAgain()
    {
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);
        _time.Advance(TimeSpan.FromSeconds(2));
        _detector.Evaluate();
        Assert.False(Peer("b").Alive);

        var result = _detector.Heard(Beat("b", 1, 2), _bEndpoint);

        Assert.Equal([PeerTransitionKind.Alive], result.Transitions.Select(t => t.Kind));
        Assert.True(Peer("b").Alive);
    }

    [Fact]
    public void OldOrRepeatedSequence_IsStale_AndDoesNotRefreshTheTimer()
    {
        _detector.Heard(Beat("b", 1, 5), _bEndpoint);
        _time.Advance(TimeSpan.FromMilliseconds(400));

        Assert.Equal(HeardVerdict.Stale, _detector.Heard(Beat("b", 1, 5), _bEndpoint).Verdict);
        Assert.Equal(HeardVerdict.Stale, _detector.Heard(Beat("b", 1, 3), _bEndpoint).Verdict);

        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Contains(_detector.Evaluate(), t => t.Kind == PeerTransitionKind.Dead);
    }

    [Fact]
    public void UnknownSender_IsLearned_AndAnsweredWhereItSendsFrom()
    {
        var result = _detector.Heard(Beat("c", 1, 1), _cEndpoint);

        Assert.Equal([PeerTransitionKind.Learned, PeerTransitionKind.DigestChanged, PeerTransitionKind.Alive], result.Transitions.Select(t => t.Kind));
        var c = Peer("c");
        Assert.False(c.Discovered);
        Assert.True(c.Alive);
        Assert.Equal(new PeerAddress("c", _cEndpoint), Assert.Single(_detector.Targets()));

        var moved = new IPEndPoint(IPAddress.Loopback, 7100);
        _detector.Heard(Beat("c", 1, 2), moved);
        Assert.Equal(moved, Peer("c").Endpoint);
    }

    [Fact]
    public void DiscoveredPeer_KeepsItsDiscoveredEndpoint_WhateverTheSource()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]);
        _detector.Heard(Beat("b", 1, 1), new IPEndPoint(IPAddress.Loopback, 9999));
        Assert.Equal(_bEndpoint, Peer("b").Endpoint);
    }

    [Fact]
    public void LearnedPeer_GoesDead_ThenIsForgotten_AfterForgetAfter()
    {
        _detector.Heard(Beat("c", 1, 1), _cEndpoint);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(_detector.Evaluate(), t => t.Kind == PeerTransitionKind.Dead);
        Assert.Contains(_detector.Snapshot(), p => p.Name == "c");

        _time.Advance(_forgetAfter);
        var transitions = _detector.Evaluate();

        Assert.Contains(transitions, t => t is { Name: "c", Kind: PeerTransitionKind.Forgotten });
        Assert.DoesNotContain(_detector.Snapshot(), p => p.Name == "c");
        Assert.Empty(_detector.Targets());
    }

    [Fact]
    public void DiscoveredPeer_StaysKnownWhileDead_UntilDiscoveryDropsIt()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]);
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);
        _time.Advance(_forgetAfter * 3);
        _detector.Evaluate();

        var b = Peer("b");
        Assert.False(b.Alive);
        Assert.True(b.Discovered);

        var transitions = _detector.SetDiscovered([]);

        Assert.Equal([PeerTransitionKind.Removed], transitions.Select(t => t.Kind));
        Assert.Empty(_detector.Snapshot());
    }

    [Fact]
    public void AlivePeer_DroppedByDiscovery_StaysAsLearned_UntilItGoesSilent()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]);
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);

        Assert.Equal([PeerTransitionKind.Undiscovered], _detector.SetDiscovered([]).Select(t => t.Kind));
        var b = Peer("b");
        Assert.True(b.Alive);
        Assert.False(b.Discovered);

        _time.Advance(_forgetAfter + _timeout);
        var transitions = _detector.Evaluate();
        Assert.Contains(transitions, t => t.Kind == PeerTransitionKind.Dead);
        Assert.Contains(transitions, t => t.Kind == PeerTransitionKind.Forgotten);
    }

    [Fact]
    public void SetDiscovered_IgnoresSelf_AndReportsNothingWhenUnchanged()
    {
        Assert.Single(_detector.SetDiscovered([new PeerAddress("a", _bEndpoint), new PeerAddress("b", _bEndpoint)]));
        Assert.Empty(_detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("a", _cEndpoint)]));
        Assert.Equal(["b"], _detector.Snapshot().Select(p => p.Name));

        var moved = _detector.SetDiscovered([new PeerAddress("b", _cEndpoint)]);
        Assert.Equal([PeerTransitionKind.EndpointChanged], moved.Select(t => t.Kind));
        Assert.Equal(_cEndpoint, Peer("b").Endpoint);
    }

    [Fact]
    public void OwnName_IsSelf_NotAPeer()
    {
        Assert.Equal(HeardVerdict.Self, _detector.Heard(Beat("a", 1, 1), _bEndpoint).Verdict);
        Assert.Empty(_detector.Snapshot());
    }

    [Fact]
    public void Leaving_MarksThePeerDeadAtOnce_AndLaterHeartbeatsOfThatIncarnationAreIgnored()
    {
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);

        var left = _detector.Heard(Beat("b", 1, 2) with { Leaving = true }, _bEndpoint);

        Assert.Equal([PeerTransitionKind.Left], left.Transitions.Select(t => t.Kind));
        Assert.False(Peer("b").Alive);
        Assert.Equal(HeardVerdict.Accepted, _detector.Heard(Beat("b", 1, 3) with { Leaving = true }, _bEndpoint).Verdict);
        Assert.Equal(HeardVerdict.Stale, _detector.Heard(Beat("b", 1, 4), _bEndpoint).Verdict);
        Assert.False(Peer("b").Alive);
    }

    [Fact]
    public void LeavingStranger_IsNotLearned()
    {
        var result = _detector.Heard(Beat("c", 1, 1) with { Leaving = true }, _cEndpoint);
        Assert.Empty(result.Transitions);
        Assert.Empty(_detector.Snapshot());
    }

    [Fact]
    public void NewIncarnation_IsARestart_AndComesBackAfterLeaving()
    {
        _detector.Heard(Beat("b", 100, 7), _bEndpoint);
        _detector.Heard(Beat("b", 100, 8) with { Leaving = true }, _bEndpoint);

        var restarted = _detector.Heard(Beat("b", 200, 1), _bEndpoint);

        Assert.Equal([PeerTransitionKind.Restarted, PeerTransitionKind.Alive], restarted.Transitions.Select(t => t.Kind));
        Assert.True(Peer("b").Alive);
        Assert.Equal(200UL, Peer("b").Incarnation);

        var restartedWhileAlive = _detector.Heard(Beat("b", 300, 1), _bEndpoint);
        Assert.Equal([PeerTransitionKind.Restarted], restartedWhileAlive.Transitions.Select(t => t.Kind));
    }

    [Fact]
    public void OlderIncarnation_IsStaleWhileTheNewerLives_ButAcceptedOnceItIsDead()
    {
        _detector.Heard(Beat("b", 200, 1), _bEndpoint);

        Assert.Equal(HeardVerdict.Stale, _detector.Heard(Beat("b", 100, 50), _bEndpoint).Verdict);
        Assert.Equal(200UL, Peer("b").Incarnation);

        // A restart whose clock went backwards: once the newer incarnation is silent, the older one is believed.
        _time.Advance(TimeSpan.FromSeconds(1));
        _detector.Evaluate();
        Assert.Equal(HeardVerdict.Accepted, _detector.Heard(Beat("b", 100, 51), _bEndpoint).Verdict);
        Assert.True(Peer("b").Alive);
    }

    [Fact]
    public void DigestChange_IsReportedOnce()
    {
        _detector.Heard(Beat("b", 1, 1, "one"), _bEndpoint);
        Assert.Equal("one", Peer("b").ConfigDigest);

        var changed = _detector.Heard(Beat("b", 1, 2, "two"), _bEndpoint);
        var transition = Assert.Single(changed.Transitions);
        Assert.Equal(PeerTransitionKind.DigestChanged, transition.Kind);
        Assert.Equal("two", transition.Detail);
        Assert.Empty(_detector.Heard(Beat("b", 1, 3, "two"), _bEndpoint).Transitions);
    }

    [Fact]
    public void Count_CountsAliveAndKnown()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("c", _cEndpoint)]);
        _detector.Heard(Beat("c", 1, 1), _cEndpoint);
        Assert.Equal((1, 2, 0, 0), _detector.Count());
    }

    [Fact]
    public void PeerNotHeardDirectly_ButVouchedForByALivePeer_IsAlive_AndCountedIndirect()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("c", _cEndpoint)]);

        var result = _detector.Heard(Beat("c", 1, 1) with { Vouches = [Vouch("b", 30)] }, _cEndpoint);

        var indirect = Assert.Single(result.Transitions, t => t.Name == "b");
        Assert.Equal(PeerTransitionKind.Indirect, indirect.Kind);
        Assert.Equal("c", indirect.Detail);
        Assert.True(Peer("b").Alive);
        Assert.False(Peer("b").HeardDirectly);
        Assert.True(Peer("c").HeardDirectly);
        Assert.Equal((2, 2, 1, 1), _detector.Count());
    }

    [Fact]
    public void VouchedPeer_DiesWhenTheVouchesStop_NoLaterThanTheirAgeAllows()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("c", _cEndpoint)]);
        _detector.Heard(Beat("c", 1, 1) with { Vouches = [Vouch("b", 100)] }, _cEndpoint);

        // c heard b 100 ms before its heartbeat arrived: b is dead 400 ms (plus a tick) later, not 500.
        _time.Advance(TimeSpan.FromMilliseconds(400));
        _detector.Heard(Beat("c", 1, 2), _cEndpoint); // c no longer hears b
        Assert.Empty(_detector.Evaluate());
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var dead = Assert.Single(_detector.Evaluate());
        Assert.Equal(("b", PeerTransitionKind.Dead), (dead.Name, dead.Kind));
        Assert.True(Peer("c").Alive);
    }

    [Fact]
    public void DirectlyHeardPeer_WhoseHeartbeatsStopArriving_StaysAliveWhileAnotherHearsIt()
    {
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);
        _detector.Heard(Beat("c", 1, 1), _cEndpoint);
        for (ulong sequence = 2; sequence < 20; sequence++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            _detector.Heard(Beat("c", 1, sequence) with { Vouches = [Vouch("b", 20) with { Ready = false }] }, _cEndpoint);
            foreach (var transition in _detector.Evaluate())
            {
                Assert.Equal(("b", PeerTransitionKind.Indirect), (transition.Name, transition.Kind)); // never Dead
            }
        }

        Assert.True(Peer("b").Alive);
        Assert.False(Peer("b").HeardDirectly);

        var again = _detector.Heard(Beat("b", 1, 2), _bEndpoint);
        Assert.Equal([PeerTransitionKind.Direct], again.Transitions.Select(t => t.Kind));
        Assert.True(Peer("b").HeardDirectly);
    }

    [Fact]
    public void Vouches_AreNotPassedOn_AndNeverAddAPeer()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("c", _cEndpoint)]);
        _detector.Heard(Beat("c", 1, 1) with { Vouches = [Vouch("b", 10), Vouch("stranger", 10), Vouch("a", 10)] }, _cEndpoint);

        // Only what this replica hears directly goes out: c, not b.
        var vouches = _detector.Vouches();
        Assert.Equal([MembershipKeys.Hash("c")], vouches.Select(v => v.PeerHash));
        Assert.DoesNotContain(_detector.Snapshot(), p => p.Name == "stranger");
    }

    [Fact]
    public void VouchOlderThanTheTimeout_DoesNotRevive()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint)]);
        _detector.Heard(Beat("c", 1, 1) with { Vouches = [Vouch("b", 501)] }, _cEndpoint);
        Assert.False(Peer("b").Alive);
    }

    [Fact]
    public void LeftPeer_IsNotRevivedByAVouchFromBeforeItsGoodbye_ButARestartHeardLaterBringsItBack()
    {
        _detector.Heard(Beat("b", 1, 1), _bEndpoint);
        _detector.Heard(Beat("c", 1, 1), _cEndpoint);
        _detector.Heard(Beat("b", 1, 2) with { Leaving = true }, _bEndpoint);

        // c's heartbeat was on its way before c had the goodbye.
        _time.Advance(TimeSpan.FromMilliseconds(5));
        _detector.Heard(Beat("c", 1, 2) with { Vouches = [Vouch("b", 1)] }, _cEndpoint);
        Assert.False(Peer("b").Alive);

        // b restarted; only c hears it.
        _time.Advance(TimeSpan.FromSeconds(1));
        var back = _detector.Heard(Beat("c", 1, 3) with { Vouches = [Vouch("b", 10)] }, _cEndpoint);
        Assert.Contains(back.Transitions, t => t.Name == "b" && t.Kind == PeerTransitionKind.Indirect);
        Assert.True(Peer("b").Alive);
    }

    [Fact]
    public void Vouches_RotateThroughManyPeers_SoEveryPeerIsVouchedFor()
    {
        var names = Enumerable.Range(0, 100).Select(i => $"p{i:D3}").ToList();
        for (var i = 0; i < names.Count; i++)
        {
            _detector.Heard(Beat(names[i], 1, 1), new IPEndPoint(IPAddress.Loopback, 8000 + i));
        }

        var first = _detector.Vouches();
        var second = _detector.Vouches();

        Assert.Equal(HeartbeatCodec.MaxVouches, first.Count);
        Assert.Equal(HeartbeatCodec.MaxVouches, second.Count);
        Assert.Equal(names.Select(MembershipKeys.Hash).Order(), first.Concat(second).Select(v => v.PeerHash).Distinct().Order());
    }

    [Fact]
    public void Withdrawn_IsReportedWhenItChanges_AndReadByKey()
    {
        var first = _detector.Heard(Beat("b", 1, 1) with { Withdrawn = [MembershipKeys.Hash("web/a")] }, _bEndpoint);
        Assert.Contains(first.Transitions, t => t.Kind == PeerTransitionKind.WithdrawnChanged);
        Assert.True(Peer("b").Withdraws("web/a"));
        Assert.False(Peer("b").Withdraws("web/b"));

        Assert.Empty(_detector.Heard(Beat("b", 1, 2) with { Withdrawn = [MembershipKeys.Hash("web/a")] }, _bEndpoint).Transitions);

        var cleared = _detector.Heard(Beat("b", 1, 3), _bEndpoint);
        Assert.Equal([PeerTransitionKind.WithdrawnChanged], cleared.Transitions.Select(t => t.Kind));
        Assert.False(Peer("b").Withdraws("web/a"));
    }

    [Fact]
    public void Ready_FollowsTheHeartbeats_AndAChangeIsReported()
    {
        Assert.DoesNotContain(_detector.Heard(Beat("b", 1, 1), _bEndpoint).Transitions, t => t.Kind == PeerTransitionKind.ReadyChanged);
        Assert.False(Peer("b").Ready);

        var ready = _detector.Heard(Beat("b", 1, 2) with { Ready = true }, _bEndpoint);
        Assert.Equal([PeerTransitionKind.ReadyChanged], ready.Transitions.Select(t => t.Kind));
        Assert.True(Peer("b").Ready);
        Assert.Empty(_detector.Heard(Beat("b", 1, 3) with { Ready = true }, _bEndpoint).Transitions);

        // What this replica vouches carries it on.
        Assert.True(Assert.Single(_detector.Vouches()).Ready);
    }

    [Fact]
    public void PeerHeardOnlyThroughOthers_TakesItsReadinessFromTheVouches()
    {
        _detector.SetDiscovered([new PeerAddress("b", _bEndpoint), new PeerAddress("c", _cEndpoint)]);
        _detector.Heard(Beat("c", 1, 1) with { Vouches = [Vouch("b", 10) with { Ready = false }] }, _cEndpoint);
        Assert.False(Peer("b").Ready);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        var ready = _detector.Heard(Beat("c", 1, 2) with { Vouches = [Vouch("b", 10)] }, _cEndpoint);
        Assert.Contains(ready.Transitions, t => t.Name == "b" && t.Kind == PeerTransitionKind.ReadyChanged);
        Assert.True(Peer("b").Ready);

        // Heard directly, its own word wins over a vouch.
        _detector.Heard(Beat("b", 1, 1) with { Ready = false }, _bEndpoint);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _detector.Heard(Beat("c", 1, 3) with { Vouches = [Vouch("b", 10)] }, _cEndpoint);
        Assert.False(Peer("b").Ready);
    }

    private static Vouch Vouch(string name, ushort ageMilliseconds) => new(MembershipKeys.Hash(name), ageMilliseconds);

    private static HeartbeatDatagram Beat(string name, ulong incarnation, ulong sequence, string digest = "d") =>
        new(name, incarnation, sequence, digest, Leaving: false);

    private PeerState Peer(string name) => Assert.Single(_detector.Snapshot(), p => p.Name == name);
}
