namespace Ferry.ApiServer.Admission;

/// <summary>
/// One in-flight allocation for a create or update (upstream's allocation "transaction"): new cluster IPs and
/// node ports are already reserved; ports and IPs the old object no longer uses are released only on
/// <see cref="Commit"/>. On errors everything was already rolled back and <see cref="Commit"/> does nothing.
/// </summary>
/// <remarks>Use from one thread; the owning <see cref="ServiceAllocator"/> is thread-safe.</remarks>
public sealed class ServiceAllocation(ServiceAllocator owner)
{
    private readonly ServiceAllocator _owner = owner;
    private bool _done;

    /// <summary>Allocation failures (empty on success). <see cref="FieldErrorType.InternalError"/> means 500.</summary>
    public IReadOnlyList<FieldError> Errors { get; internal set; } = [];

    public bool Succeeded => Errors.Count == 0;

    internal List<long> AllocatedIps { get; } = [];

    internal List<int> AllocatedPorts { get; } = [];

    internal List<long> ReleasedIps { get; } = [];

    internal List<int> ReleasedPorts { get; } = [];

    /// <summary>Makes the allocation final (frees what the old object gave up). Idempotent.</summary>
    public void Commit()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        if (Succeeded)
        {
            _owner.Finish(this, commit: true);
        }
    }

    /// <summary>Undoes the allocation (e.g. validation failed afterwards, or a dry run). Idempotent.</summary>
    public void Revert()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _owner.Finish(this, commit: false);
    }
}
