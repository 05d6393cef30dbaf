using Ferry.Controller.Serving;
using Ferry.Membership;

namespace Ferry.Hosting.Serving;

/// <summary>The heartbeat membership as the serving controller sees it.</summary>
internal sealed class MembershipPort : IReplicaMembership
{
    private readonly HeartbeatMembership _membership;

    /// <summary>The view of the last change (what peers withdraw from changes only with one), read without a snapshot per call.</summary>
    private volatile MembershipView? _view;

    public MembershipPort(HeartbeatMembership membership, string self)
    {
        _membership = membership;
        Self = self;
        _membership.Changed += view =>
        {
            _view = view;
            Changed?.Invoke();
        };
    }

    public string Self { get; }

    public IReadOnlyCollection<string> Candidates => _membership.Current.Candidates;

    public void MarkReady() => _membership.SetReady(true);

    public bool IsSettled => _membership.Current.Settled;

    public bool Withdraws(string replica, string key) =>
        (_view ?? _membership.Current).Peers.FirstOrDefault(p => p.Name == replica) is { Alive: true } peer && peer.Withdraws(key);

    public void SetWithdrawn(IReadOnlyCollection<string> keys) => _membership.SetWithdrawn(keys);

    public event Action? Changed;
}
