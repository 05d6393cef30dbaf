namespace Ferry.Controller.Reconciliation;

/// <summary>The outcome of one sync of one Service: done, or an error to retry with backoff.</summary>
public sealed record ReconcileResult(string? Error)
{
    public static readonly ReconcileResult Done = new((string?)null);

    public bool Succeeded => Error is null;

    public static ReconcileResult Failed(string error) => new(error);
}
