using System.Runtime.InteropServices;

namespace Ferry.Testing.Lab;

/// <summary>The few libc calls the lab needs: entering a network namespace, signalling by PID, the effective user.</summary>
internal static partial class LibC
{
    /// <summary>CLONE_NEWNET from &lt;sched.h&gt;: setns may only enter a network namespace.</summary>
    public const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
