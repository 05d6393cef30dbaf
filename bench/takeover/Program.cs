using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ferry.ApiServer;
using Ferry.Controller;
using Ferry.Controller.LeaderElection;
using Ferry.Controller.Translation;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: dotnet run -c Release --project bench/takeover [-- runs=3 services=20 lease=15 renew=10 retry=2]
// A leader serves `services` LoadBalancer Services; it "crashes" (stops without releasing the Lease);
// then a replica takes over: a fresh one started right after the crash, or a standby that was running
// all along. Prints when the new replica first read the Lease, acquired it, had its controller ready,
// and served the first and the last VIP, counted from the crash. Loopback only.
var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
var runs = (int)settings.GetValueOrDefault("runs", 3);
var serviceCount = (int)settings.GetValueOrDefault("services", 20);
var timings = new LeaderElectionOptions
{
    Identity = "unused",
    LeaseNamespace = "default",
    LeaseDuration = TimeSpan.FromSeconds(settings.GetValueOrDefault("lease", 15)),
    RenewDeadline = TimeSpan.FromSeconds(settings.GetValueOrDefault("renew", 10)),
    RetryPeriod = TimeSpan.FromSeconds(settings.GetValueOrDefault("retry", 2)),
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lease {timings.LeaseDuration.TotalSeconds} s, renew deadline {timings.RenewDeadline.TotalSeconds} s, retry {timings.RetryPeriod.TotalSeconds} s; {serviceCount} Services; {Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
Console.WriteLine("scenario         first read  acquired  controller ready  first VIP  all VIPs   (seconds after the crash)");
for (var run = 0; run < runs; run++)
{
    foreach (var fresh in new[] { true, false })
    {
        Console.WriteLine(await MeasureAsync(fresh));
    }
}

async Task<string> MeasureAsync(bool fresh)
{
    var directory = Directory.CreateTempSubdirectory("ferry-takeover-").FullName;
    var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
    try
    {
        await using var api = await ApiServerHost.StartAsync(new ApiServerOptions { DataDirectory = directory, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance, CancellationToken.None);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
        var a = Replica.Start(api, prefix, timings with { Identity = "replica-a" });
        var standby = fresh ? null : Replica.Start(api, prefix, timings with { Identity = "replica-b" });
        await UntilTrueAsync(() => a.Ferry.Current is { Controller.IsReady: true });
        var vips = new List<IPEndPoint>();
        for (var i = 0; i < serviceCount; i++)
        {
            var name = "web" + i.ToString(CultureInfo.InvariantCulture);
            await client.CoreV1.CreateNamespacedServiceAsync(
                new V1Service
                {
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
                    Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 8080, TargetPort = 9376, Protocol = "TCP" }] },
                },
                "default");
            string? ip = null;
            await UntilAsync(async () => (ip = (await client.CoreV1.ReadNamespacedServiceAsync(name, "default")).Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip) is not null);
            vips.Add(new IPEndPoint(IPAddress.Parse(ip!), 8080));
        }

        if (standby is not null)
        {
            // Let the standby watch a few renewals, as a long-running one has.
            await Task.Delay(timings.RetryPeriod * 3);
        }

        // The crash: the leader stops without releasing the Lease (its listeners close with it).
        await a.DisposeAsync();
        var clock = Stopwatch.StartNew();
        var b = standby ?? Replica.Start(api, prefix, timings with { Identity = "replica-b" }, clock);
        if (standby is not null)
        {
            b.Clock = clock;
        }

        await UntilTrueAsync(() => b.Ferry.Current is { Controller.IsReady: true });
        var ready = clock.Elapsed;
        await UntilAsync(() => AcceptsAsync(vips[0]));
        var first = clock.Elapsed;
        foreach (var vip in vips)
        {
            await UntilAsync(() => AcceptsAsync(vip));
        }

        var all = clock.Elapsed;
        await b.DisposeAsync();
        return string.Create(CultureInfo.InvariantCulture, $"{(fresh ? "fresh replica" : "running standby"),-16} {b.FirstRead?.TotalSeconds,10:F2}  {b.Acquired?.TotalSeconds,8:F2}  {ready.TotalSeconds,16:F2}  {first.TotalSeconds,9:F2}  {all.TotalSeconds,8:F2}");
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }
}

static async Task UntilAsync(Func<Task<bool>> condition)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
    while (!await condition())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("the takeover did not complete in 2 minutes");
        }

        await Task.Delay(10);
    }
}

static Task UntilTrueAsync(Func<bool> condition) => UntilAsync(() => Task.FromResult(condition()));

static async Task<bool> AcceptsAsync(IPEndPoint endPoint)
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    try
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await socket.ConnectAsync(endPoint, timeout.Token);
        return true;
    }
    catch (Exception e) when (e is SocketException or OperationCanceledException)
    {
        return false;
    }
}

/// <summary>One <see cref="ClusterFerry"/> replica with its own client, timed against the crash.</summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private Replica(ClusterFerry ferry, LeaseLeaderElection election, Stopwatch? clock)
    {
        Ferry = ferry;
        Clock = clock;
        election.LeaseObserved += _ => FirstRead ??= Clock?.Elapsed;
        _run = Task.Run(() => ferry.RunAsync(_stop.Token));
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && !ferry.IsLeader)
            {
                await Task.Delay(5);
            }

            Acquired = Clock?.Elapsed;
        });
    }

    public ClusterFerry Ferry { get; }

    public Stopwatch? Clock { get; set; }

    public TimeSpan? FirstRead { get; private set; }

    public TimeSpan? Acquired { get; private set; }

    public static Replica Start(ApiServerHandle api, string prefix, LeaderElectionOptions election, Stopwatch? clock = null)
    {
        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
        var leases = new LeaseLeaderElection(client, election, TimeProvider.System, NullLogger<LeaseLeaderElection>.Instance) { ReleaseOnCancel = false };
        var ferry = new ClusterFerry(
            client,
            new ClusterFerryOptions
            {
                Pools = [new AddressPool("default", [AddressRange.Parse(prefix + "0/24")])],
                Controller = new ControllerOptions { Translation = new TranslationOptions { DefaultTargets = TargetMode.Endpoints } },
                LeaderElection = election,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            election: leases);
        return new Replica(ferry, leases, clock);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // started by this object
        await _run;
#pragma warning restore VSTHRD003
        await Ferry.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
