using System.CommandLine;
using Ferry.Cli.Commands;

// Commands handle SIGINT/SIGTERM themselves (graceful drain can outlast System.CommandLine's 2 s default).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await FerryCommands.CreateRoot().Parse(args).InvokeAsync(invocation);
