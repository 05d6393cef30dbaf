namespace Ferry.ApiServer.Storage;

/// <summary>Why the store refused an operation (see <see cref="StorageException"/>).</summary>
internal enum StorageFailure
{
    /// <summary>A commit to SQLite failed; the store refuses every further write.</summary>
    Failed,

    /// <summary>The store is stopping and takes no more writes.</summary>
    ShuttingDown,

    /// <summary>A watch asked to resume from a version whose events are no longer retained.</summary>
    Expired,
}
