using System.Net;

namespace Ferry.Controller.Serving;

/// <summary>Handovers: announcing once the listeners are bound, and draining an address given up (docs/design/0003-l2-announcement.md, "Handovers").</summary>
public sealed partial class ServingController
{
    /// <summary>Until the next resync: sooner while the membership settles or a drain is due.</summary>
    private TimeSpan NextWake()
    {
        if (!_membership.IsSettled)
        {
            return _settlePoll;
        }

        if (_draining.Count == 0)
        {
            return _options.ResyncInterval;
        }

        var due = _draining.Values.Min() - _time.GetUtcNow();
        return due <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : due < _options.ResyncInterval ? due : _options.ResyncInterval;
    }

    /// <summary>
    /// Answers for and announces the addresses claimed silently, now that their listeners are bound: a client
    /// that moves here on the announcement finds them ready. A failure is retried on the next sync.
    /// </summary>
    private async Task AnnounceAsync(Dictionary<IPAddress, AddressAssignment> mine, CancellationToken cancellationToken)
    {
        foreach (var address in _unannounced.ToList())
        {
            if (!_claimed.TryGetValue(address, out var interfaces))
            {
                _unannounced.Remove(address);
                continue;
            }

            var result = await _claims.ClaimAsync(address, interfaces, probe: false, silent: false, cancellationToken);
            if (result.Outcome == AddressClaimOutcome.Claimed)
            {
                _unannounced.Remove(address);
            }
            else if (mine.TryGetValue(address, out var assignment))
            {
                Log.ClaimFailed(_logger, address.ToString(), result.Detail ?? "unknown error");
                RecordFor(assignment, "Warning", ServingEvents.AnnounceFailed, ServingEvents.FailedMessage(address.ToString(), _membership.Self, result.Detail ?? "unknown error"));
            }
        }
    }

    /// <summary>
    /// When a replica joins, announces the addresses this one kept again. Until the two heard each other the
    /// joiner may have owned them too in its own view (a replica settles on the peers it knows of, and finds
    /// the others only as their Leases are listed), answered and announced them; clients that took its
    /// announcement last would stay with it after it drains. This replica's rounds start when it hears the
    /// joiner, about when the joiner falls silent, so their later rounds land after the clients' <c>locktime</c>.
    /// </summary>
    private async Task AnnounceAgainIfJoinedAsync(IReadOnlyCollection<string> live, IEnumerable<IPAddress> kept, CancellationToken cancellationToken)
    {
        var joined = _lastLive is { } last && live.Any(r => !last.Contains(r));
        _lastLive = live.ToHashSet(StringComparer.Ordinal);
        if (!joined)
        {
            return;
        }

        foreach (var address in kept.Where(a => !_unannounced.Contains(a)).ToList())
        {
            try
            {
                await _claims.AnnounceAgainAsync(address, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.AnnounceAgainFailed(_logger, address.ToString(), ex.Message);
            }
        }
    }

    /// <summary>Stops answering for an address another replica now owns; it stays served here for the drain.</summary>
    private async Task DrainAsync(IPAddress address, string successor, CancellationToken cancellationToken)
    {
        try
        {
            await _claims.StopAnsweringAsync(address, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReleaseFailed(_logger, address.ToString(), ex.Message);
        }

        _claimed.Remove(address);
        _unannounced.Remove(address);
        _draining[address] = _time.GetUtcNow() + _options.HandoverDrain;
        Log.Draining(_logger, address, successor, _options.HandoverDrain.TotalMilliseconds);
    }
}
