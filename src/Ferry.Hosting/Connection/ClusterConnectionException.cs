namespace Ferry.Hosting.Connection;

/// <summary>The cluster configuration cannot be found or used; the message says which file or flag and why.</summary>
public sealed class ClusterConnectionException : Exception
{
    public ClusterConnectionException()
    {
    }

    public ClusterConnectionException(string message)
        : base(message)
    {
    }

    public ClusterConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
