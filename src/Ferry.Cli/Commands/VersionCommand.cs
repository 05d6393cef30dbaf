using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Ferry.Cli.Commands;

/// <summary><c>ferry version</c>: the build and the runtime, for bug reports and benchmark records.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Ferry's version and the .NET runtime it runs on.");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"ferry {Version} (.NET {Environment.Version}, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture})");
            return 0;
        });
        return command;
    }

    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
