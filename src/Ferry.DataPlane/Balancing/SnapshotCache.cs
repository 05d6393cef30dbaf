using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Balancing;

/// <summary>
/// Holds what a policy derives from one <see cref="BackendSnapshot"/> (a schedule, a ring, a weight table),
/// rebuilt only when the pool publishes a new snapshot, so a pick only compares one reference.
/// </summary>
/// <remarks>
/// Lock-free: two threads seeing a new snapshot at once may both build, and the last write wins; both
/// results are equal, so that costs only a little work, never correctness.
/// </remarks>
internal sealed class SnapshotCache<T>
    where T : class
{
    private Entry? _entry;

    /// <param name="build">Pass a static lambda so no delegate is allocated per pick.</param>
    public T Get(BackendSnapshot snapshot, Func<BackendSnapshot, T> build)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && ReferenceEquals(entry.Snapshot, snapshot))
        {
            return entry.Value;
        }

        entry = new Entry(snapshot, build(snapshot));
        Volatile.Write(ref _entry, entry);
        return entry.Value;
    }

    private sealed record Entry(BackendSnapshot Snapshot, T Value);
}
