namespace Ferry.Controller.LeaderElection;

/// <summary>A single replica that always leads (<c>ferry up</c>, <c>ferry run --leader-elect=false</c>).</summary>
public sealed class NoLeaderElection : ILeaderElection
{
    private volatile bool _leading;

    public bool IsLeader => _leading;

    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        _leading = true;
        try
        {
            await whileLeading(cancellationToken);
        }
        finally
        {
            _leading = false;
        }
    }
}
