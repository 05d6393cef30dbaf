using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Ferry.Testing;
using Ferry.Testing.Lab;
using k8s;

// Usage (as root): dotnet run -c Release --project bench/failover [-- runs=20 window=60 creates=10 services=3 lease=default]
// In the network-namespace lab (three `ferry run` replicas, pool `announce: l2`, the client on the LAN):
// 1. failover: kill -9 and SIGTERM of the VIP's owner, `runs` times each: outage, failed connections, neighbour entry;
// 2. API writes per replica per minute over `window` seconds of steady state (ferry api's audit log);
// 3. Service create to first byte through the VIP, `creates` times.
// lease=default runs `ferry run` with its own Lease timings (15/10/2 s); lease=lab with the lab's (4/3/0.5 s).
if (NetnsLab.SkipReason() is { } why)
{
    await Console.Error.WriteLineAsync("bench/failover: " + why + "; run it as root.");
    return 2;
}

if (!InstalledTools.HasArping)
{
    await Console.Error.WriteLineAsync("bench/failover: " + InstalledTools.NoArping);
    return 2;
}

var settings = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
int Setting(string name, int fallback) => settings.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
var runs = Setting("runs", 20);
var window = TimeSpan.FromSeconds(Setting("window", 60));
var creates = Setting("creates", 10);
var services = Setting("services", 3);
var labLeases = settings.GetValueOrDefault("lease", "default") == "lab";
var faultLimit = TimeSpan.FromSeconds(30);

// The whole program is bounded: a minute per fault and per create, plus the window and five minutes to set up.
using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(5 + (2 * runs) + creates) + window);
var ct = bound.Token;
var work = Directory.CreateTempSubdirectory("ferry-failover-bench-").FullName;
var auditPath = Path.Combine(work, "audit.log");
const string Pools = "pools:\n  - name: lab\n    addresses: [192.0.2.100-192.0.2.149]\n    announce: l2\n";
const int BackendPort = 9376;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runs {runs} per fault, window {window.TotalSeconds} s, creates {creates}, {services} Services in steady state, Lease timings {(labLeases ? "lab (4/3/0.5 s)" : "ferry run's defaults (15/10/2 s)")}; {Environment.ProcessorCount} CPUs, load average {File.ReadAllText("/proc/loadavg").Trim()}"));
try
{
    await using var lab = await NetnsLab.CreateAsync(cancellationToken: ct);
    foreach (var node in lab.Nodes)
    {
        lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv4, BackendPort), greeting: node.Role)));
    }

    var options = new LabClusterOptions { PoolsYaml = Pools, ApiArguments = ["--audit-log-path", auditPath] };
    if (!labLeases)
    {
        options = options with { RunArguments = [] };
    }

    await using var cluster = await LabCluster.StartAsync(lab, options, ct);
    var started = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    void StartReplica(LabNamespace node)
    {
        started[node.Role] = TimeProvider.System.GetUtcNow();
        cluster.StartReplica(node, ["--peer-listen", $"{node.IPv4}:7947"]);
    }

    foreach (var node in lab.Nodes)
    {
        StartReplica(node);
    }

    await cluster.WaitForLeaderAsync(ct);
    var vip = await CreateServedAsync(cluster, lab, "web", ct);

    // 1. Failover.
    Console.WriteLine($"\n1. failover of {vip}:80 (a connection every 50 ms from the client; times from the fault)");
    Console.WriteLine("fault     run  owner  new    recovered  failed  neighbour entry");
    var results = new List<FaultRun>();
    var polls = new List<TimeSpan>();
    foreach (var signal in new[] { LabSignal.Kill, LabSignal.Terminate })
    {
        for (var run = 1; run <= runs; run++)
        {
            var owner = await SettleAsync(cluster, lab, vip, started, ct);
            var result = await FaultAsync(cluster, lab, vip, owner, signal, run, faultLimit, polls, ct);
            results.Add(result);
            Console.WriteLine(result);
            StartReplica(owner);
        }
    }

    Console.WriteLine("\nfault     runs  recovered (median / p90 / worst)   failed conns (median / p90 / worst)  neighbour entry (median / p90 / worst)");
    foreach (var group in results.GroupBy(r => r.Signal))
    {
        var recovered = group.Select(r => r.Recovered).ToList();
        var neighbour = group.Select(r => r.Neighbour).ToList();
        var failed = group.Select(r => (double)r.Failed).Order().ToList();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Name(group.Key),-8} {group.Count(),5}  {Summary(recovered),-33}  {Quantile(failed, 0.5),4:F0} / {Quantile(failed, 0.9),3:F0} / {failed[^1],3:F0}                  {Summary(neighbour)}"));
    }

    var pollTimes = polls.Select(p => p.TotalMilliseconds).Order().ToList();
    if (pollTimes.Count > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"(the neighbour entry is polled every 20 ms with `ip -j neigh show`, {pollTimes.Count} calls taking {Quantile(pollTimes, 0.5):F0} ms median, {pollTimes[^1]:F0} ms worst: the time it is seen is late by up to one call)"));
    }

    // 2. API writes per replica per minute, steady state.
    await SettleAsync(cluster, lab, vip, started, ct);
    for (var i = 1; i < services; i++)
    {
        await CreateServedAsync(cluster, lab, "steady" + i.ToString(CultureInfo.InvariantCulture), ct);
    }

    await SettleAsync(cluster, lab, vip, started, ct);
    Console.WriteLine($"\n2. API writes (create/update/patch/delete) per minute over {window.TotalSeconds} s of steady state, {services} Services served, from ferry api's audit log");
    var offset = new FileInfo(auditPath).Length;
    var windowClock = Stopwatch.StartNew();
    await Task.Delay(window, ct);
    var minutes = windowClock.Elapsed.TotalMinutes;
    var clients = lab.Nodes.ToDictionary(n => n.IPv4.ToString(), n => n.Role, StringComparer.Ordinal);
    clients[lab.Api.IPv4.ToString()] = "bench (relay)";
    var leader = await cluster.LeaderAsync(ct);
    var writes = ReadWrites(auditPath, offset)
        .GroupBy(w => (Client: clients.GetValueOrDefault(w.Source, w.Source), w.Resource))
        .OrderBy(g => g.Key.Client, StringComparer.Ordinal)
        .ThenBy(g => g.Key.Resource, StringComparer.Ordinal);
    Console.WriteLine("client          resource                          writes/min  (verbs)");
    foreach (var group in writes)
    {
        var verbs = string.Join(", ", group.GroupBy(w => w.Verb).OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key} {v.Count()}"));
        var client = group.Key.Client + (group.Key.Client == leader ? " *" : string.Empty);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{client,-15} {group.Key.Resource,-33} {group.Count() / minutes,10:F1}  ({verbs})"));
    }

    foreach (var node in lab.Nodes)
    {
        var total = ReadWrites(auditPath, offset).Count(w => w.Source == node.IPv4.ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{node.Role + (node.Role == leader ? " *" : string.Empty),-15} all                               {total / minutes,10:F1}"));
    }

    Console.WriteLine("(* the leader, holder of the ferry-controller Lease)");

    // 3. Service create to first byte.
    Console.WriteLine($"\n3. Service create to first byte through the VIP from the client ({creates} times; address: status.loadBalancer.ingress set)");
    Console.WriteLine("service    address   first byte");
    var addressed = new List<TimeSpan?>();
    var firstBytes = new List<TimeSpan?>();
    for (var i = 1; i <= creates; i++)
    {
        var (address, firstByte) = await CreateToFirstByteAsync(cluster, lab, "create" + i.ToString(CultureInfo.InvariantCulture), faultLimit, ct);
        addressed.Add(address);
        firstBytes.Add(firstByte);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"create{i,-4} {Ms(address),8}  {Ms(firstByte),10}"));
    }

    Console.WriteLine($"address assigned (median / worst): {Summary(addressed, p90: false)}; first byte (median / worst): {Summary(firstBytes, p90: false)}");
    return 0;
}
catch (OperationCanceledException) when (bound.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("bench/failover: stopped at the program's time limit");
    return 1;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static async Task<IPAddress> CreateServedAsync(LabCluster cluster, NetnsLab lab, string name, CancellationToken ct)
{
    await cluster.CreateServiceAsync(name, 80, BackendPort, lab.Nodes, cancellationToken: ct);
    var vip = await cluster.WaitForIngressAsync(name, ct);
    await UntilAsync(async () => (await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), cancellationToken: ct)).Succeeded, TimeSpan.FromSeconds(60), $"{name} ({vip}) served", ct);
    return vip;
}

// Settled: three replicas running, each having written its ferry-replica Lease since it started, a leader,
// the VIP served, exactly one node answering ARP for it twice a second apart, and the client's neighbour entry on it.
static async Task<LabNamespace> SettleAsync(LabCluster cluster, NetnsLab lab, IPAddress vip, Dictionary<string, DateTimeOffset> started, CancellationToken ct)
{
    LabNamespace? owner = null;
    await UntilAsync(
        async () =>
        {
            if (cluster.Replicas.Values.Any(r => r.HasExited) || cluster.Replicas.Count != lab.Nodes.Count || await cluster.LeaderAsync(ct) is null)
            {
                return false;
            }

            foreach (var node in lab.Nodes)
            {
                var leases = await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync("default", fieldSelector: "metadata.name=ferry-replica-" + node.Role, cancellationToken: ct);
                var renewed = leases.Items.FirstOrDefault()?.Spec?.RenewTime;
                if (renewed is null || new DateTimeOffset(renewed.Value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(renewed.Value, DateTimeKind.Utc) : renewed.Value.ToUniversalTime()) < started[node.Role])
                {
                    return false;
                }
            }

            if (!(await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), cancellationToken: ct)).Succeeded)
            {
                return false;
            }

            var first = await OwnerAsync(lab, vip, ct);
            await Task.Delay(1000, ct);
            var second = await OwnerAsync(lab, vip, ct);
            var entry = await lab.NeighbourAsync(lab.Client, vip, ct);
            owner = second;
            return first is not null && first == second && second.Mac.Equals(entry?.Mac);
        },
        TimeSpan.FromSeconds(90),
        "the cluster settled",
        ct);
    return owner!;
}

static async Task<LabNamespace?> OwnerAsync(NetnsLab lab, IPAddress vip, CancellationToken ct) =>
    await lab.ArpingAsync(lab.Client, vip, requests: 1, cancellationToken: ct) is [var reply]
        ? lab.Nodes.SingleOrDefault(n => n.Mac.Equals(reply.Mac))
        : null;

static async Task<FaultRun> FaultAsync(LabCluster cluster, NetnsLab lab, IPAddress vip, LabNamespace owner, LabSignal signal, int run, TimeSpan limit, List<TimeSpan> polls, CancellationToken ct)
{
    await using var probe = ConnectProbe.Start(lab.Client, new IPEndPoint(vip, 80), new ConnectProbeOptions { MaxDuration = limit * 2 });
    if (await probe.WaitForSuccessAsync(limit, ct) is null)
    {
        throw new InvalidOperationException($"{vip} not served before the fault");
    }

    var replica = cluster.Replicas[owner.Role];
    var fault = TimeProvider.System.GetUtcNow();
    var clock = Stopwatch.StartNew();
    replica.Signal(signal);
    var neighbour = WatchNeighbourAsync(lab, vip, owner, clock, limit, polls, ct);
    var recovered = await probe.WaitForRecoveryAsync(fault, limit, cancellationToken: ct);
    var (newOwner, entryTime) = await neighbour;
    await replica.WaitForExitAsync(limit, ct);
    await probe.StopAsync();
    return new FaultRun(signal, run, owner.Role, newOwner?.Role, recovered, probe.FailuresSince(fault), entryTime);
}

// Polls the client's neighbour entry for the VIP (every ~20 ms, bounded) until it names another node's MAC; the time is
// when the `ip neigh` that saw it returned, so late by up to one call (their durations go to `polls`).
static async Task<(LabNamespace? Node, TimeSpan? After)> WatchNeighbourAsync(NetnsLab lab, IPAddress vip, LabNamespace owner, Stopwatch clock, TimeSpan limit, List<TimeSpan> polls, CancellationToken ct)
{
    while (clock.Elapsed < limit)
    {
        var before = clock.Elapsed;
        var entry = await lab.NeighbourAsync(lab.Client, vip, ct);
        var elapsed = clock.Elapsed;
        polls.Add(elapsed - before);
        if (entry?.Mac is { } mac && !mac.Equals(owner.Mac) && lab.Nodes.FirstOrDefault(n => n.Mac.Equals(mac)) is { } node)
        {
            return (node, elapsed);
        }

        await Task.Delay(20, ct);
    }

    return (null, null);
}

static async Task<(TimeSpan? Address, TimeSpan? FirstByte)> CreateToFirstByteAsync(LabCluster cluster, NetnsLab lab, string name, TimeSpan limit, CancellationToken ct)
{
    var clock = Stopwatch.StartNew();
    await cluster.CreateServiceAsync(name, 80, BackendPort, lab.Nodes, cancellationToken: ct);
    IPAddress? vip = null;
    while (vip is null && clock.Elapsed < limit)
    {
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync(name, "default", cancellationToken: ct);
        if (service.Status?.LoadBalancer?.Ingress is [{ Ip: { } ip }, ..])
        {
            vip = IPAddress.Parse(ip);
        }
        else
        {
            await Task.Delay(10, ct);
        }
    }

    if (vip is null)
    {
        return (null, null);
    }

    var address = clock.Elapsed;
    // Short attempts, so that one blocked on an unresolved neighbour does not hide the moment the VIP answers.
    var attempt = new ConnectProbeOptions { AttemptTimeout = TimeSpan.FromMilliseconds(250) };
    while (clock.Elapsed < limit)
    {
        if ((await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, 80), attempt, ct)).Succeeded)
        {
            return (address, clock.Elapsed);
        }

        await Task.Delay(10, ct);
    }

    return (address, null);
}

static IEnumerable<(string Source, string Verb, string Resource)> ReadWrites(string auditPath, long offset)
{
    using var stream = new FileStream(auditPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    stream.Seek(offset, SeekOrigin.Begin);
    using var reader = new StreamReader(stream);
    var writes = new List<(string, string, string)>();
    while (reader.ReadLine() is { } line)
    {
        if (JsonNode.Parse(line) is not JsonObject e || (string?)e["verb"] is not ("create" or "update" or "patch" or "delete" or "deletecollection") || e["objectRef"] is not JsonObject target)
        {
            continue;
        }

        var resource = (string?)target["resource"] + ((string?)target["subresource"] is { } sub ? "/" + sub : string.Empty);
        var named = (string?)target["resource"] == "leases" ? resource + " " + (string?)target["name"] : resource;
        writes.Add(((string?)e["sourceIPs"]?[0] ?? "?", (string)e["verb"]!, named));
    }

    return writes;
}

static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what, CancellationToken ct)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > limit)
        {
            throw new TimeoutException($"not {what} within {limit.TotalSeconds} s");
        }

        await Task.Delay(100, ct);
    }
}

static string Name(LabSignal signal) => signal == LabSignal.Kill ? "kill -9" : "SIGTERM";

static string Ms(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "-";

static double Quantile(IReadOnlyList<double> sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

static string Summary(IReadOnlyList<TimeSpan?> values, bool p90 = true)
{
    var known = values.Where(v => v is not null).Select(v => v!.Value.TotalMilliseconds).Order().ToList();
    var missing = values.Count - known.Count;
    var text = known.Count == 0 ? "-"
        : p90 ? string.Create(CultureInfo.InvariantCulture, $"{Quantile(known, 0.5):F0} / {Quantile(known, 0.9):F0} / {known[^1]:F0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{Quantile(known, 0.5):F0} / {known[^1]:F0} ms");
    return missing > 0 ? $"{text} ({missing} never)" : text;
}

/// <summary>One fault: which replica owned the VIP, who took over, and what the client saw.</summary>
internal sealed record FaultRun(LabSignal Signal, int Run, string Owner, string? NewOwner, TimeSpan? Recovered, int Failed, TimeSpan? Neighbour)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(Signal == LabSignal.Kill ? "kill -9" : "SIGTERM"),-8} {Run,4}  {Owner,-5}  {NewOwner ?? "-",-5}  {Format(Recovered),9}  {Failed,6}  {Format(Neighbour),9}");

    private static string Format(TimeSpan? value) => value is { } v ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "never";
}
