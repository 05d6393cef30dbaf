using System.CommandLine;

namespace Ferry.Cli.Commands;

/// <summary>The <c>ferry</c> command tree.</summary>
internal static class FerryCommands
{
    public static RootCommand CreateRoot() =>
        new("Ferry: an external load balancer for Kubernetes Services of type LoadBalancer.")
        {
            ApiCommand.Create(),
            ProxyCommand.Create(),
            RunCommand.Create(),
            StatusCommand.Create(),
            UpCommand.Create(),
            VersionCommand.Create(),
        };
}
