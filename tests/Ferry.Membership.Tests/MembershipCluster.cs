using System.Net;
using Microsoft.Extensions.Logging.Testing;

namespace Ferry.Membership.Tests;

/// <summary>
/// Several memberships in one process, each on its own loopback port, stopped (by disposal) at the end of
/// the test whatever happened.
/// </summary>
internal sealed class MembershipCluster : IAsyncDisposable
{
    private readonly List<HeartbeatMembership> _members = [];

    private readonly Dictionary<HeartbeatMembership, FakeLogger<HeartbeatMembership>> _logs = [];

    /// <summary>Starts a member; <paramref name="configure"/> adjusts its options (e.g. a key or a digest).</summary>
    public async Task<HeartbeatMembership> StartAsync(string name, Func<MembershipOptions, MembershipOptions>? configure = null, int port = 0)
    {
        var options = new MembershipOptions(name, new IPEndPoint(IPAddress.Loopback, port));
        options = configure?.Invoke(options) ?? options;
        var logger = new FakeLogger<HeartbeatMembership>();
        var member = new HeartbeatMembership(options, TimeProvider.System, logger);
        _members.Add(member);
        _logs[member] = logger;
        await member.StartAsync(TestContext.Current.CancellationToken);
        return member;
    }

    /// <summary>Log records of <paramref name="member"/> with event id <paramref name="eventId"/>.</summary>
    public IReadOnlyList<FakeLogRecord> Records(HeartbeatMembership member, int eventId) =>
        [.. _logs[member].Collector.GetSnapshot().Where(r => r.Id.Id == eventId)];

    /// <summary>
    /// Waits until <paramref name="member"/> has logged event <paramref name="eventId"/>, then returns its records
    /// (a state change is visible in the view a moment before its log line is written).
    /// </summary>
    public async Task<IReadOnlyList<FakeLogRecord>> LoggedAsync(HeartbeatMembership member, int eventId)
    {
        await EventuallyAsync(() => Records(member, eventId).Count > 0);
        return Records(member, eventId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.DisposeAsync();
        }
    }

    public static PeerAddress Address(string name, HeartbeatMembership member) => new(name, member.LocalEndpoint);

    public static PeerState? Peer(HeartbeatMembership member, string name) => member.Current.Peers.FirstOrDefault(p => p.Name == name);

    public static bool IsAlive(HeartbeatMembership member, string name) => Peer(member, name)?.Alive == true;

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most <paramref name="seconds"/>.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return condition();
    }
}
