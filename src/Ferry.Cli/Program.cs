using System.CommandLine;
using Ferry.Cli.Commands;

// Commands handle SIGINT/SIGTERM themselves (graceful drain can outlast System.CommandLine's 2 s default).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parsed = FerryCommands.CreateRoot().Parse(args);
var exitCode = await parsed.InvokeAsync(invocation);

// Wrong flags exit 2, as the commands' own flag checks do (System.CommandLine's parse errors would be 1).
return parsed.Errors.Count > 0 ? 2 : exitCode;
