using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Ferry.Controller;
using Ferry.DataPlane;
using Ferry.DataPlane.Health;
using Ferry.Hosting.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ferry.Hosting.Admin;

/// <summary>
/// The admin endpoint of <c>ferry up</c> and <c>ferry run</c>: <c>/healthz</c> (the process runs),
/// <c>/readyz</c> (the controller has synced and rebuilt its allocations) and <c>/metrics</c>
/// (Prometheus text format 0.0.4 of Ferry's meters), over plain HTTP.
/// </summary>
/// <remarks>
/// Only instruments of Ferry's meters created from the meter factory it is given are
/// exported (<see cref="PrometheusExporter"/>), so tests running in parallel never mix; docs/metrics.md
/// lists them all.
/// </remarks>
public sealed partial class AdminEndpoint : IAsyncDisposable
{
    /// <summary>The meters <c>/metrics</c> exports.</summary>
    public static readonly IReadOnlySet<string> MeterNames = new HashSet<string>(StringComparer.Ordinal)
    {
        DataPlaneMetrics.MeterName,
        HealthMetrics.MeterName,
        ControllerMetrics.MeterName,
        Controller.Serving.ServingMetrics.MeterName,
        "Ferry.Membership",
    };

    private const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly WebApplication _app;
    private readonly PrometheusExporter _exporter;

    private AdminEndpoint(WebApplication app, PrometheusExporter exporter, Uri url)
    {
        _app = app;
        _exporter = exporter;
        Url = url;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:9102/</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts serving; <paramref name="readiness"/> is asked on every <c>/readyz</c>. Only instruments of
    /// meters created from <paramref name="meterFactory"/> are exported, so another Ferry in the same
    /// process (tests) does not leak into this one's <c>/metrics</c>. Returns null when the address is
    /// taken and <see cref="AdminEndpointOptions.Optional"/> allows running on without the endpoint.
    /// </summary>
    /// <remarks>Internal: <see cref="LocalFerry"/> and <see cref="ClusterFerry"/> start it, so every command and test serves it the same way.</remarks>
    /// <exception cref="IOException">The address is taken (and not optional) or cannot be bound.</exception>
    /// <summary>
    /// Starts the endpoint <paramref name="options"/> asks for on behalf of <paramref name="host"/>
    /// (none when null); when it cannot start, the host is disposed and the error rethrown.
    /// </summary>
    internal static async Task<AdminEndpoint?> StartForAsync(IAsyncDisposable host, AdminEndpointOptions? options, IMeterFactory? meterFactory, Func<AdminReadiness> readiness, ILoggerFactory loggerFactory, CancellationToken cancellationToken, Func<StatusDocument>? status = null)
    {
        if (options is null)
        {
            return null;
        }

        try
        {
            return await StartAsync(options, meterFactory!, readiness, loggerFactory, cancellationToken, status);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    internal static async Task<AdminEndpoint?> StartAsync(AdminEndpointOptions options, IMeterFactory meterFactory, Func<AdminReadiness> readiness, ILoggerFactory loggerFactory, CancellationToken cancellationToken, Func<StatusDocument>? status = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(readiness);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException($"Invalid {nameof(AdminEndpointOptions)}: {string.Join("; ", problems)}", nameof(options));
        }

        var logger = loggerFactory.CreateLogger<AdminEndpoint>();
        try
        {
            return await ServeAsync(options.Listen, meterFactory, readiness, status, loggerFactory, logger, cancellationToken);
        }
        catch (IOException e) when (options.Optional)
        {
            Log.NotServing(logger, options.Listen.ToString(), e.Message);
            return null;
        }
    }

    private static async Task<AdminEndpoint> ServeAsync(IPEndPoint listen, IMeterFactory scope, Func<AdminReadiness> readiness, Func<StatusDocument>? status, ILoggerFactory loggerFactory, ILogger logger, CancellationToken cancellationToken)
    {
        var exporter = new PrometheusExporter(meter => ReferenceEquals(meter.Scope, scope) && MeterNames.Contains(meter.Name));
        WebApplication? app = null;
        try
        {
            // An empty builder: no configuration sources can add endpoints, and a lifetime that leaves
            // signals to the process that embeds it.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            builder.Services.AddSingleton<IHostLifetime, AdminLifetime>();
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(listen);
            });
            app = builder.Build();
            app.Run(context => HandleAsync(context, exporter, readiness, status));
            await app.StartAsync(cancellationToken);

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reported no bound address.");
            var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
            var url = new Uri("http://" + new IPEndPoint(listen.Address, port) + "/");
            Log.Listening(logger, url);
            return new AdminEndpoint(app, exporter, url);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            exporter.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _exporter.Dispose();
    }

    private static async Task HandleAsync(HttpContext context, PrometheusExporter exporter, Func<AdminReadiness> readiness, Func<StatusDocument>? status)
    {
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/healthz":
                await WriteTextAsync(response, StatusCodes.Status200OK, "ok", context.RequestAborted);
                break;
            case "/readyz":
                var ready = readiness();
                await WriteTextAsync(response, ready.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, ready.Message, context.RequestAborted);
                break;
            case "/metrics":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = PrometheusContentType;
                await response.WriteAsync(exporter.Export(), context.RequestAborted);
                break;
            case "/status" when status is not null:
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json; charset=utf-8";
                await JsonSerializer.SerializeAsync(response.Body, status(), StatusJson.Options, context.RequestAborted);
                break;
            default:
                await WriteTextAsync(response, StatusCodes.Status404NotFound, status is null ? "not found: try /healthz, /readyz or /metrics" : "not found: try /healthz, /readyz, /metrics or /status", context.RequestAborted);
                break;
        }
    }

    private static Task WriteTextAsync(HttpResponse response, int status, string text, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text + "\n", cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(5100, LogLevel.Information, "Admin endpoint on {Url} (/healthz, /readyz, /metrics, /status)")]
        public static partial void Listening(ILogger logger, Uri url);

        [LoggerMessage(5101, LogLevel.Warning, "No admin endpoint: the default address {Address} is taken ({Reason}); give --admin-listen to choose another")]
        public static partial void NotServing(ILogger logger, string address, string reason);
    }
}
