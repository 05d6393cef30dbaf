namespace Ferry.DataPlane.Forwarding;

/// <summary>How one direction of a TCP connection ended (after YARP's StreamCopyResult): expected failures are results, not exceptions.</summary>
internal enum CopyResult
{
    /// <summary>The source sent FIN; the other side was half-closed.</summary>
    Completed,

    /// <summary>Reading from the source failed (reset, aborted).</summary>
    ReadError,

    /// <summary>Writing to the destination failed.</summary>
    WriteError,

    /// <summary>The connection was closed from outside (idle timeout, drain deadline, shutdown).</summary>
    Aborted,
}
