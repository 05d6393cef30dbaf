using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ferry.ApiServer.Authorization;
using Ferry.ApiServer.Hosting;
using Ferry.ApiServer.Http;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;
using Ferry.ApiServer.Strategies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.ApiServer;

/// <summary>
/// Starts the embedded Kubernetes-compatible API server: Kestrel over HTTPS with a self-signed
/// certificate and a bearer token, state in SQLite, and a kubeconfig in the data directory.
/// </summary>
/// <example>
/// <code>
/// await using var api = await ApiServerHost.StartAsync(new ApiServerOptions { DataDirectory = dir }, loggerFactory, ct);
/// Console.WriteLine($"export KUBECONFIG={api.KubeconfigPath}");
/// </code>
/// </example>
public static partial class ApiServerHost
{
    /// <summary>Starts the server on the system clock and returns once it accepts connections and the kubeconfig is written.</summary>
    public static Task<ApiServerHandle> StartAsync(ApiServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        StartAsync(options, loggerFactory, TimeProvider.System, cancellationToken);

    /// <summary>Starts the server and returns once it accepts connections and the kubeconfig is written.</summary>
    /// <param name="timeProvider">Clock for timestamps, AGE columns and watch timers; tests may inject a fake one.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<ApiServerHandle> StartAsync(ApiServerOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(ApiServerOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        var (staticTokens, policies) = LoadAccessFiles(options);
        var dir = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dir);
        var logger = loggerFactory.CreateLogger("Ferry.ApiServer");
        var time = timeProvider;

        // One server per data directory: a second one would keep its own cache of the same database.
        FileStream dataLock;
        try
        {
            dataLock = new FileStream(Path.Combine(dir, "apiserver.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException("Another Ferry API server is using the data directory " + dir + ".", ex);
        }

        X509Certificate2? certificate = null;
        ObjectStore? store = null;
        AuditLog? audit = null;
        var shutdown = new CancellationTokenSource();
        WebApplication? app = null;
        try
        {
            certificate = ServerCertificate.LoadOrCreate(dir, options.Listen.Address, time);
            var token = BearerToken.LoadOrCreate(dir);
            store = new ObjectStore(Path.Combine(dir, "state.db"), options.WatchHistorySize);
            _ = KubernetesVersion.TryParse(options.EmulatedVersion, out var version); // validated above; null is the default
            var services = new ServiceKindStrategy(options.ServiceAllocation, version);
            var registry = new ResourceRegistry(store, new ResourceCatalog(services, time), time);
            await new ClusterBootstrap(registry, services, options.BootstrapDefinitions).RunAsync(options.Listen.Port == 0 ? 6443 : options.Listen.Port);
            var watch = new WatchEndpoint(registry, time, new Random(), options.BookmarkInterval, shutdown.Token);
            audit = options.AuditLogPath is { } auditPath ? new AuditLog(auditPath, time) : null;
            var handler = new ApiRequestHandler(registry, watch, new BearerAuthentication(token, staticTokens), new RequestAuthorizer(policies), options.MaxRequestBodyBytes, time, logger, version, audit);

            // An empty builder: no appsettings.json, environment or command-line configuration can add endpoints
            // or change limits behind the caller's back (the host process may be anything, e.g. the ferry CLI).
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = dir });
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes * 2;

                // client-go multiplexes every watch of a process over one HTTP/2 connection; kube-apiserver allows 1000 streams.
                k.Limits.Http2.MaxStreamsPerConnection = 1000;
                k.Listen(options.Listen, l => l.UseHttps(certificate));
            });
            app = builder.Build();
            app.Run(handler.HandleAsync);
            await app.StartAsync(cancellationToken);

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reported no bound address.");
            var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
            var host = options.Listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
                : options.Listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
                : options.Listen.Address;
            var url = new Uri("https://" + new IPEndPoint(host, port));
            var caPath = Path.Combine(dir, ServerCertificate.CaFile);
            var caPem = await File.ReadAllTextAsync(caPath, cancellationToken);
            var kubeconfig = KubeconfigWriter.Write(Path.Combine(dir, KubeconfigWriter.FileName), url, caPem, token, UserIdentity.Admin.Name);
            LogStarted(logger, url, kubeconfig);

            var running = app;
            var runningStore = store;
            var runningCertificate = certificate;
            var runningAudit = audit;
            return new ApiServerHandle(url, kubeconfig, token, caPath, caPem, async () =>
            {
                await shutdown.CancelAsync();
                runningStore.CloseWatchers();
                await running.StopAsync(CancellationToken.None);
                await running.DisposeAsync();
                runningStore.Dispose();
                runningCertificate.Dispose();
                runningAudit?.Dispose();
                shutdown.Dispose();
                await dataLock.DisposeAsync();
            });
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            store?.Dispose();
            certificate?.Dispose();
            audit?.Dispose();
            shutdown.Dispose();
            await dataLock.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the server until <paramref name="cancellationToken"/> is cancelled (for <c>ferry api</c>), then stops it.
    /// <paramref name="started"/> is called once it serves, with the handle (URL, kubeconfig path).
    /// </summary>
    public static async Task RunAsync(ApiServerOptions options, ILoggerFactory loggerFactory, Action<ApiServerHandle>? started, CancellationToken cancellationToken)
    {
        await using var handle = await StartAsync(options, loggerFactory, cancellationToken);
        started?.Invoke(handle);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    /// <summary>The optional token file and ABAC policy; a file that cannot be read or parsed is an <see cref="ArgumentException"/> naming the line.</summary>
    private static (Dictionary<string, UserIdentity> Tokens, List<AccessPolicy> Policies) LoadAccessFiles(ApiServerOptions options)
    {
        try
        {
            var tokens = options.TokenAuthFile is { } tokenFile ? StaticTokenFile.Load(tokenFile) : [];
            var policies = options.AuthorizationPolicyFile is { } policyFile ? AccessPolicyFile.Load(policyFile) : [];
            return (tokens, policies);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Invalid {nameof(ApiServerOptions)}: {ex.Message}", nameof(options), ex);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Ferry API listening on {Url}; kubeconfig at {Kubeconfig}")]
    private static partial void LogStarted(ILogger logger, Uri url, string kubeconfig);
}
