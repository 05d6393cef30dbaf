using System.CommandLine;
using Ferry.Contracts;

namespace Ferry.Cli.Commands;

/// <summary>
/// The shared <c>--data-plane auto|userspace|kernel</c> option (docs/kernel-data-plane.md). Which one runs:
/// the option, else the <c>ferry proxy</c> file's <c>dataPlane</c>, else <c>$FERRY_DATA_PLANE</c>, else <c>auto</c>.
/// </summary>
internal static class DataPlaneOption
{
    /// <summary>The environment variable that sets the default (a DaemonSet's env, a test harness).</summary>
    public const string Variable = "FERRY_DATA_PLANE";

    public static Option<string?> Create()
    {
        var option = new Option<string?>("--data-plane")
        {
            Description = $"Which data plane carries traffic: auto (the kernel where it can run: nftables and root or CAP_NET_ADMIN; else userspace), userspace or kernel (exit 1 if it cannot run). Default: ${Variable}, else auto.",
            HelpName = "auto|userspace|kernel",
        };
        option.AcceptOnlyFromAmong([.. DataPlaneModeNames.All]);
        return option;
    }

    /// <summary>The mode to run, or an error naming where the bad value came from.</summary>
    public static DataPlaneMode? Resolve(string? option, DataPlaneMode? fromFile, out string? error)
    {
        error = null;
        if (option is not null && DataPlaneModeNames.TryParse(option, out var asked))
        {
            return asked;
        }

        if (fromFile is { } configured)
        {
            return configured;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(fromEnvironment))
        {
            return DataPlaneMode.Auto;
        }

        if (DataPlaneModeNames.TryParse(fromEnvironment, out var mode))
        {
            return mode;
        }

        error = $"${Variable}: \"{fromEnvironment}\" is not one of {string.Join(", ", DataPlaneModeNames.All)}";
        return null;
    }
}
