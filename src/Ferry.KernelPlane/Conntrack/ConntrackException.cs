namespace Ferry.KernelPlane.Conntrack;

/// <summary>The conntrack netlink socket cannot be used (no privilege, no nf_conntrack_netlink) or the kernel refused a request.</summary>
public sealed class ConntrackException : Exception
{
    public ConntrackException(string message)
        : base(message)
    {
    }

    public ConntrackException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public ConntrackException()
    {
    }
}
