namespace Ferry.DataPlane.Listeners;

/// <summary>The three tiers of accept errors (after Garnet's network layer).</summary>
internal enum AcceptErrorKind
{
    /// <summary>The listening socket was closed on purpose: leave the loop quietly.</summary>
    Stopped,

    /// <summary>One connection went wrong (reset before accept, out of descriptors): log and go on.</summary>
    Transient,

    /// <summary>The listening socket itself is broken: log, report not serving, stop.</summary>
    Fatal,
}
