namespace Ferry.Testing.Lab;

/// <summary>POSIX signal numbers on Linux, for <see cref="LabProcess.Signal"/>.</summary>
public enum LabSignal
{
    /// <summary>SIGHUP.</summary>
    Hangup = 1,

    /// <summary>SIGINT.</summary>
    Interrupt = 2,

    /// <summary>SIGKILL: the process cannot clean up (a crash).</summary>
    Kill = 9,

    /// <summary>SIGTERM: a clean stop.</summary>
    Terminate = 15,

    /// <summary>SIGCONT: resumes a stopped process.</summary>
    Continue = 18,

    /// <summary>SIGSTOP: freezes the process (a hung replica whose sockets stay open).</summary>
    Stop = 19,
}
