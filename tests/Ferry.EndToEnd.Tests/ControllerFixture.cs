using System.Net;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Controller.Translation;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// The embedded API server plus a <see cref="ControllerHost"/> built with the test's own controller
/// options (node targets, short health checks, several pools), as <c>ferry run</c> composes it over a
/// real cluster. Random loopback pool, free API port, temp data directory.
/// </summary>
internal sealed class ControllerFixture : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ApiServerHandle _server;
    private readonly Kubernetes _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private ControllerFixture(string directory, ApiServerHandle server, Kubernetes client, ControllerHost host, string poolPrefix, RequestCounter statusPatches)
    {
        StatusPatches = statusPatches;
        _directory = directory;
        _server = server;
        _client = client;
        Host = host;
        PoolPrefix = poolPrefix;
        Api = new ClusterApi(client);
        _run = Task.Run(() => host.RunAsync(_stop.Token));
    }

    public ControllerHost Host { get; }

    public ClusterApi Api { get; }

    /// <summary>PATCH requests to a <c>status</c> subresource sent through the client (the controller's finalizer and status writes).</summary>
    public RequestCounter StatusPatches { get; }

    /// <summary>The first three octets of the default pool, e.g. <c>127.45.7.</c>.</summary>
    public string PoolPrefix { get; }

    /// <param name="translation">How Services are translated (targets, health checks).</param>
    /// <param name="pools">Builds the pools from the default pool's prefix; null for one pool "default" = prefix.0/24.</param>
    /// <param name="emulatedVersion">The Kubernetes version the API server answers as (<see cref="ApiServerOptions.EmulatedVersion"/>).</param>
    public static async Task<ControllerFixture> StartAsync(TranslationOptions translation, Func<string, IReadOnlyList<AddressPool>>? pools = null, string? emulatedVersion = null)
    {
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        var server = await ApiServerHost.StartAsync(
            new ApiServerOptions { DataDirectory = directory, Listen = new IPEndPoint(IPAddress.Loopback, 0), EmulatedVersion = emulatedVersion },
            NullLoggerFactory.Instance,
            TestContext.Current.CancellationToken);
        var statusPatches = new RequestCounter(HttpMethod.Patch, "/status");
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath), statusPatches);
        var host = new ControllerHost(
            client,
            new ControllerHostOptions
            {
                Pools = pools?.Invoke(prefix) ?? [new AddressPool("default", [AddressRange.Parse(prefix + "0/24")])],
                Controller = new ControllerOptions { Translation = translation },
                Identity = "e2e",
            },
            NullLoggerFactory.Instance,
            TimeProvider.System);
        return new ControllerFixture(directory, server, client, host, prefix, statusPatches);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // the run task was started by this object
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        await Host.DisposeAsync();
        _client.Dispose();
        await _server.DisposeAsync();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
