namespace Ferry.Testing;

/// <summary>Programs the tests drive when the machine has them (.ci/run installs them); tests skip with a reason otherwise.</summary>
public static class InstalledTools
{
    /// <summary>The reason to give <c>Assert.SkipUnless</c> when kubectl is missing.</summary>
    public const string NoKubectl = "kubectl is not installed; .ci/run installs one";

    /// <summary>True when <c>kubectl</c> is on the PATH.</summary>
    public static bool HasKubectl => OnPath("kubectl");

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
