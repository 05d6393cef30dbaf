namespace Ferry.Hosting;

/// <summary>The data plane asked for cannot run here (<c>--data-plane kernel</c> without nftables or the privilege); the message says why.</summary>
public sealed class DataPlaneUnavailableException : InvalidOperationException
{
    public DataPlaneUnavailableException()
    {
    }

    public DataPlaneUnavailableException(string message)
        : base(message)
    {
    }

    public DataPlaneUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
