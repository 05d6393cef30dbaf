namespace Ferry.Testing;

/// <summary>How a <see cref="FerryProcess"/> child finds SIGINT when it starts.</summary>
internal enum SigintDisposition
{
    /// <summary>As the test process has it (ignored when the runner was started as a background job).</summary>
    Inherited,

    /// <summary>Reset to the default, as in a terminal where Ctrl-C reaches the process.</summary>
    Default,

    /// <summary>Ignored, as in a background job of a shell.</summary>
    Ignored,
}
