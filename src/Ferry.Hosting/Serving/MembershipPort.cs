using Ferry.Controller.Serving;
using Ferry.Membership;

namespace Ferry.Hosting.Serving;

/// <summary>The heartbeat membership as the serving controller sees it.</summary>
internal sealed class MembershipPort : IReplicaMembership
{
    private readonly HeartbeatMembership _membership;

    public MembershipPort(HeartbeatMembership membership, string self)
    {
        _membership = membership;
        Self = self;
        _membership.Changed += _ => Changed?.Invoke();
    }

    public string Self { get; }

    public IReadOnlyCollection<string> Live => _membership.Current.Live;

    public bool IsSettled => _membership.Current.Settled;

    public event Action? Changed;
}
