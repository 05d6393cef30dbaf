using System.Net;

namespace Ferry.Controller.Serving;

/// <summary>Claiming owned addresses: when a claim is a handover and when it is probed (docs/design/0003-l2-announcement.md, "Handovers"), and what this replica tells its peers.</summary>
public sealed partial class ServingController
{
    /// <summary>Remembers since when each address in <paramref name="plan"/> has had its owner (an unchanged owner keeps its time).</summary>
    private void TrackOwners(ServingPlan plan, DateTimeOffset now)
    {
        foreach (var address in _ownerSince.Keys.Where(a => !plan.Addresses.ContainsKey(a)).ToList())
        {
            _ownerSince.Remove(address);
            _conflicted.Remove(address);
        }

        foreach (var address in plan.Addresses.Keys)
        {
            var owner = plan.OwnerOf(address);
            if (!_ownerSince.TryGetValue(address, out var known) || known.Owner != owner)
            {
                _ownerSince[address] = (owner, now);
            }
        }
    }

    /// <summary>
    /// True when <paramref name="address"/> comes from another replica that held it, so it is claimed at once
    /// (failover must not wait for a probe): the previous owner is a peer that had owned it for at least
    /// <see cref="ServingOptions.HandoverProbeGuard"/> (long enough to have probed and claimed it) and did not
    /// find another host using it. Anything else — an address new to the LAN, one owned here but not held
    /// (refused, or the claim failed), one whose owner was only just chosen and may still be probing, one a
    /// peer found in use — is probed first.
    /// </summary>
    private bool IsHandover(IPAddress address, string? prior, Dictionary<IPAddress, (string? Owner, TimeSpan Held)> tenure) =>
        prior is not null
        && prior != _membership.Self
        && !_membership.Withdraws(prior, ConflictKey(address))
        && tenure.TryGetValue(address, out var held) && held.Owner == prior && held.Held >= _options.HandoverProbeGuard;

    private static string ConflictKey(IPAddress address) => "address-conflict/" + address;

    /// <summary>Tells the peers what this replica withdraws from: Local Services whose node check fails here, and addresses another host uses.</summary>
    private void PublishWithdrawn()
    {
        var keys = _failingHere.Concat(_conflicted.Select(ConflictKey)).Order(StringComparer.Ordinal).ToList();
        if (!keys.SequenceEqual(_withdrawn, StringComparer.Ordinal))
        {
            _withdrawn = keys;
            _membership.SetWithdrawn(keys);
        }
    }

    /// <summary>Claims the owned addresses not claimed yet, in parallel; returns those claimed now.</summary>
    private async Task<List<IPAddress>> ClaimAsync(Dictionary<IPAddress, AddressAssignment> mine, ServingPlan previous, Dictionary<IPAddress, (string? Owner, TimeSpan Held)> tenure, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var wanted = mine.Values
            .Where(a => !_claimed.ContainsKey(a.Address))
            .Where(a => !_refused.TryGetValue(a.Address, out var refused) || now - refused.At >= _options.ResyncInterval
                // The MAC that answered is now known as a replica's (its Lease was not listed yet): a handover after all.
                || (refused.HardwareAddress is { } mac && _isPeerHardwareAddress(mac)))
            .ToList();

        // A handover from a replica that owned it (alive or just dead) is claimed at once: failover must
        // not wait for a probe. An address new to this replica is probed first: another host may use it.
        var results = await Task.WhenAll(wanted.Select(async a =>
        {
            var probe = !IsHandover(a.Address, previous.OwnerOf(a.Address), tenure);
            var result = await _claims.ClaimAsync(a.Address, a.Interfaces, probe, silent: true, cancellationToken);
            if (result.Outcome == AddressClaimOutcome.Conflict && result.ConflictingHardwareAddress is { } mac && _isPeerHardwareAddress(mac))
            {
                // Another replica still answers (it owned the address before this one started): a handover.
                result = await _claims.ClaimAsync(a.Address, a.Interfaces, probe: false, silent: true, cancellationToken);
            }

            return (Assignment: a, Result: result);
        }));

        var claimed = new List<IPAddress>();
        foreach (var (assignment, result) in results)
        {
            var address = assignment.Address;
            switch (result.Outcome)
            {
                case AddressClaimOutcome.Claimed:
                    _conflicted.Remove(address);
                    _claimed[address] = result.Interfaces;
                    _unannounced.Add(address);
                    _refused.Remove(address);
                    _draining.Remove(address);
                    claimed.Add(address);
                    _metrics?.Claimed();
                    Log.Claimed(_logger, address, result.Interfaces, assignment.Services);
                    break;
                case AddressClaimOutcome.Conflict:
                    _refused[address] = (now, result.ConflictingHardwareAddress);
                    _conflicted.Add(address);
                    _metrics?.Conflict();
                    Log.Conflict(_logger, address.ToString(), result.ConflictingHardwareAddress ?? "another host", result.Detail ?? string.Empty);
                    RecordFor(assignment, "Warning", ServingEvents.AddressConflict, ServingEvents.ConflictMessage(address.ToString(), _membership.Self, result.ConflictingHardwareAddress, result.Detail));
                    break;
                default:
                    _refused[address] = (now, null);
                    _metrics?.Failed();
                    Log.ClaimFailed(_logger, address.ToString(), result.Detail ?? "unknown error");
                    RecordFor(assignment, "Warning", ServingEvents.AnnounceFailed, ServingEvents.FailedMessage(address.ToString(), _membership.Self, result.Detail ?? "unknown error"));
                    break;
            }
        }

        return claimed;
    }
}
