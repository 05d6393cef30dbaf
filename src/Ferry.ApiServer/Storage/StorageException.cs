namespace Ferry.ApiServer.Storage;

/// <summary>
/// A storage-level failure. Storage knows nothing of HTTP: the request handler maps this to a Kubernetes
/// Status (<c>Errors.ApiErrors.FromStorage</c>).
/// </summary>
internal sealed class StorageException : Exception
{
    public StorageException(StorageFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>What went wrong.</summary>
    public StorageFailure Failure { get; }
}
