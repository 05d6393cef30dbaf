namespace Ferry.Testing;

/// <summary>Programs the tests drive when the machine has them (.ci/run installs them); tests skip with a reason otherwise.</summary>
public static class InstalledTools
{
    /// <summary>The reason to give <c>Assert.SkipUnless</c> when kubectl is missing.</summary>
    public const string NoKubectl = "kubectl is not installed; .ci/run installs one";

    /// <summary>The reason to give when iputils' arping is missing.</summary>
    public const string NoArping = "arping (iputils-arping) is not installed; .ci/run installs it";

    /// <summary>The reason to give when ndisc6 is missing.</summary>
    public const string NoNdisc6 = "ndisc6 is not installed; .ci/run installs it";

    /// <summary>The reason to give when ping is missing.</summary>
    public const string NoPing = "ping (iputils-ping) is not installed; .ci/run installs it";

    /// <summary>True when <c>kubectl</c> is on the PATH.</summary>
    public static bool HasKubectl => OnPath("kubectl");

    /// <summary>True when <c>arping</c> is on the PATH.</summary>
    public static bool HasArping => OnPath("arping");

    /// <summary>True when <c>ndisc6</c> is on the PATH.</summary>
    public static bool HasNdisc6 => OnPath("ndisc6");

    /// <summary>True when <c>ping</c> is on the PATH.</summary>
    public static bool HasPing => OnPath("ping");

    /// <summary>True when <paramref name="program"/> is a file in a PATH directory.</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
