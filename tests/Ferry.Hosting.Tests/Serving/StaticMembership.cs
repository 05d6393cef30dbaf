using Ferry.Controller.Serving;

namespace Ferry.Hosting.Tests.Serving;

/// <summary>A membership the test sets: which replicas are alive (the heartbeat membership is tested in Ferry.Membership.Tests and the lab).</summary>
internal sealed class StaticMembership(string self, params string[] live) : IReplicaMembership
{
    private volatile string[] _live = live;

    public string Self { get; } = self;

    public IReadOnlyCollection<string> Live => _live;

    public bool IsSettled => true;

    public event Action? Changed;

    public void Set(params string[] live)
    {
        _live = live;
        Changed?.Invoke();
    }
}
