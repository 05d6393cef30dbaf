using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ferry.DataPlane.Flows;

/// <summary>
/// Every live TCP connection and UDP flow of one listener, with one lifecycle for both: tracked from
/// the start (<see cref="Track"/>), counted as open once a backend is reached (<see cref="Opened"/>),
/// forgotten at the end (<see cref="Untrack"/>). The sweeper enforces connect and idle timeouts here
/// (<see cref="SweepIdle"/>) and closes what is left of a drain at its deadline (<see cref="AbortIfDue"/>).
/// </summary>
/// <remarks>
/// Lock-free: connections add and remove themselves on their own threads while the sweeper walks the
/// table. A UDP flow reaches its backend when it is created, so it calls <see cref="Track"/> and
/// <see cref="Opened"/> back to back.
/// </remarks>
internal sealed class FlowTable(string listenerName, ListenerCounters counters, ILogger logger, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<IForwardedFlow, byte> _flows = new();
    private readonly string _listenerName = listenerName;
    private readonly ListenerCounters _counters = counters;
    private readonly ILogger _logger = logger;
    private readonly TimeProvider _timeProvider = timeProvider;

    public bool IsEmpty => _flows.IsEmpty;

    /// <summary>The flow is watched (connect timeout, idle timeout, drain, shutdown) from now on, not yet counted as open.</summary>
    public void Track(IForwardedFlow flow) => _flows.TryAdd(flow, 0);

    /// <summary>The flow reached its backend: counted as open (listener and backend) from now on.</summary>
    public void Opened(IForwardedFlow flow)
    {
        _counters.OnOpened();
        flow.Backend.OnConnectionOpened();
    }

    /// <summary>The flow ended; <paramref name="opened"/> says whether <see cref="Opened"/> counted it. Only the first call counts.</summary>
    public void Untrack(IForwardedFlow flow, bool opened)
    {
        if (_flows.TryRemove(flow, out _) && opened)
        {
            _counters.OnClosed();
            flow.Backend.OnConnectionClosed();
        }
    }

    /// <summary>Closes connect attempts past the connect timeout (through the flow) and flows idle for <paramref name="idleTimeout"/>.</summary>
    public void SweepIdle(long now, TimeSpan idleTimeout)
    {
        foreach (var flow in _flows.Keys)
        {
            if (flow.CheckConnect(now))
            {
                continue;
            }

            var idle = _timeProvider.GetElapsedTime(flow.LastActivity, now);
            if (idle >= idleTimeout)
            {
                FlowLog.IdleClosed(_logger, _listenerName, idle.TotalSeconds);
                flow.Abort();
            }
        }
    }

    /// <summary>
    /// -1 before the drain deadline (<paramref name="since"/> plus <paramref name="timeout"/>); after it,
    /// closes the flows matching <paramref name="match"/> and returns how many. Callers keep a drain until
    /// its deadline even when nothing matches, so a connection that was mid-connect when draining began is
    /// still closed in time.
    /// </summary>
    public int AbortIfDue(Func<IForwardedFlow, bool> match, long since, TimeSpan timeout, long now)
    {
        if (_timeProvider.GetElapsedTime(since, now) < timeout)
        {
            return -1;
        }

        var matching = _flows.Keys.Where(match).ToArray();
        foreach (var flow in matching)
        {
            flow.Abort();
        }

        return matching.Length;
    }

    /// <summary>Provider shutdown: closes every flow now.</summary>
    public void AbortAll()
    {
        foreach (var flow in _flows.Keys)
        {
            flow.Abort();
        }
    }
}
