using Ferry.Controller.Serving;

namespace Ferry.Hosting.Tests.Serving;

/// <summary>A membership the test sets: which replicas are alive (the heartbeat membership is tested in Ferry.Membership.Tests and the lab).</summary>
internal sealed class StaticMembership(string self, params string[] live) : IReplicaMembership
{
    private volatile string[] _live = live;

    public string Self { get; } = self;

    public IReadOnlyCollection<string> Candidates => _live;

    /// <summary>True once the controller said it can own addresses.</summary>
    public bool Ready { get; private set; }

    public void MarkReady() => Ready = true;

    public bool IsSettled => true;

    private volatile Dictionary<string, string[]> _withdrawn = [];

    public event Action? Changed;

    /// <summary>What this replica last said it withdraws from.</summary>
    public IReadOnlyCollection<string> OwnWithdrawn { get; private set; } = [];

    public bool Withdraws(string replica, string key) => _withdrawn.TryGetValue(replica, out var keys) && keys.Contains(key);

    public void SetWithdrawn(IReadOnlyCollection<string> keys) => OwnWithdrawn = [.. keys];

    /// <summary>Makes <paramref name="replica"/> withdraw from <paramref name="keys"/> (as its heartbeats would say).</summary>
    public void Withdraw(string replica, params string[] keys)
    {
        _withdrawn = new Dictionary<string, string[]>(_withdrawn) { [replica] = keys };
        Changed?.Invoke();
    }

    public void Set(params string[] live)
    {
        _live = live;
        Changed?.Invoke();
    }
}
