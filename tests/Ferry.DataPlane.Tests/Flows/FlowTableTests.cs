using System.Net;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;
using Ferry.DataPlane.Flows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ferry.DataPlane.Tests.Flows;

/// <summary>One lifecycle for TCP connections and UDP flows: tracked, opened, untracked — each counted once.</summary>
public class FlowTableTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListenerCounters _counters = new();
    private readonly BackendState _backend = new(new BackendSpec(IPAddress.Loopback, 9), BackendHealth.For(null));

    [Fact]
    public void Untrack_OpenedFlowTwice_CountedClosedOnce()
    {
        var table = Table();
        var flow = new Flow(_backend, _time.GetTimestamp());
        table.Track(flow);
        table.Opened(flow);
        Assert.Equal(1, _counters.ActiveConnections);
        Assert.Equal(1, _backend.ActiveConnections);

        table.Untrack(flow, opened: true);
        table.Untrack(flow, opened: true);

        Assert.Equal(0, _counters.ActiveConnections);
        Assert.Equal(0, _backend.ActiveConnections);
        Assert.Equal(1, _counters.TotalConnections);
        Assert.True(table.IsEmpty);
    }

    [Fact]
    public void Untrack_NeverOpened_NotCounted()
    {
        var table = Table();
        var flow = new Flow(_backend, _time.GetTimestamp());
        table.Track(flow);

        table.Untrack(flow, opened: false);

        Assert.Equal(0, _counters.ActiveConnections);
        Assert.Equal(0, _counters.TotalConnections);
        Assert.True(table.IsEmpty);
    }

    [Fact]
    public void SweepIdle_IdleAndConnectingFlows_AbortsOnlyTheIdleOne()
    {
        var table = Table();
        var idle = new Flow(_backend, _time.GetTimestamp());
        var connecting = new Flow(_backend, _time.GetTimestamp()) { IsConnecting = true };
        table.Track(idle);
        table.Track(connecting);

        _time.Advance(TimeSpan.FromSeconds(10));
        table.SweepIdle(_time.GetTimestamp(), TimeSpan.FromSeconds(10));

        Assert.True(idle.IsAborted);
        Assert.False(connecting.IsAborted);
    }

    [Fact]
    public void AbortIfDue_BeforeAndAfterDeadline_AbortsMatchingAtDeadlineOnly()
    {
        var table = Table();
        var other = new BackendState(new BackendSpec(IPAddress.Loopback, 10), BackendHealth.For(null));
        var draining = new Flow(_backend, _time.GetTimestamp());
        var kept = new Flow(other, _time.GetTimestamp());
        table.Track(draining);
        table.Track(kept);
        var since = _time.GetTimestamp();

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(-1, table.AbortIfDue(f => f.Backend == _backend, since, TimeSpan.FromSeconds(30), _time.GetTimestamp()));
        Assert.False(draining.IsAborted);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, table.AbortIfDue(f => f.Backend == _backend, since, TimeSpan.FromSeconds(30), _time.GetTimestamp()));
        Assert.True(draining.IsAborted);
        Assert.False(kept.IsAborted);
    }

    private FlowTable Table() => new("default/web 80/TCP", _counters, NullLogger.Instance, _time);

    private sealed class Flow(BackendState backend, long lastActivity) : IForwardedFlow, IEntryPoint
    {
        public BackendState Backend { get; } = backend;

        public IEntryPoint EntryPoint => this;

        public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, 80);

        public long LastActivity { get; } = lastActivity;

        public bool IsConnecting { get; init; }

        public bool IsAborted { get; private set; }

        public bool CheckConnect(long now) => IsConnecting;

        public void Abort() => IsAborted = true;
    }
}
