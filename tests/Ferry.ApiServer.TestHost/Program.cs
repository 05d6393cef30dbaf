using System.Net;
using Ferry.ApiServer;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: Ferry.ApiServer.TestHost <data-dir>. Prints "READY <kubeconfig>" once serving; runs until stdin closes.
var options = new ApiServerOptions { DataDirectory = args[0], Listen = new IPEndPoint(IPAddress.Loopback, 0) };
await using var server = await ApiServerHost.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
Console.WriteLine("READY " + server.KubeconfigPath);
await Console.Out.FlushAsync();
await Console.In.ReadToEndAsync();
