using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;

namespace Ferry.Lab.Tests;

/// <summary>
/// What the announcement tests share: a lab cluster with an echoing backend per node (standing in for
/// its NodePort) and a <c>ferry run</c> replica per node, and bounded waits for what follows
/// asynchronously (the owner answering ARP, a Service served, an Event written).
/// </summary>
internal static class AnnouncementLab
{
    /// <summary>One IPv4 pool announced on layer 2.</summary>
    public const string Pools = "pools:\n  - name: lab\n    addresses: [192.0.2.100-192.0.2.149]\n    announce: l2\n";

    /// <summary>The port every node's backend listens on (TCP, and UDP where a test starts one).</summary>
    public const int BackendPort = 9376;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>To the test output, and appended to $FERRY_LAB_TIMINGS when set (docs/benchmarks.md collects them that way).</summary>
    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        if (Environment.GetEnvironmentVariable("FERRY_LAB_TIMINGS") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    /// <summary>Backends on every node, the API server, and one replica per node (heartbeats on the node's LAN address); waits for a leader.</summary>
    public static async Task<LabCluster> StartAsync(NetnsLab lab, string pools = Pools, params string[] replicaArguments)
    {
        foreach (var node in lab.Nodes)
        {
            lab.Track(NetnsLab.Run(node, () => new TcpTestBackend(new IPEndPoint(node.IPv4, BackendPort), greeting: node.Role)));
        }

        var cluster = await LabCluster.StartAsync(lab, new LabClusterOptions { PoolsYaml = pools }, Ct);
        foreach (var node in lab.Nodes)
        {
            cluster.StartReplica(node, ["--peer-listen", $"{node.IPv4}:7947", .. replicaArguments]);
        }

        await cluster.WaitForLeaderAsync(Ct);
        return cluster;
    }

    /// <summary>Waits (bounded, 60 s) until a connection to <paramref name="vip"/>:80 from the client succeeds.</summary>
    public static async Task<IPAddress> WaitServedAsync(NetnsLab lab, IPAddress vip, int port = 80)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await ConnectProbe.AttemptAsync(lab.Client, new IPEndPoint(vip, port), cancellationToken: Ct)).Succeeded)
            {
                return vip;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"{vip} not served within 60 s");
    }

    /// <summary>The node whose MAC answers ARP for the address; fails unless exactly one does (within 30 s).</summary>
    public static Task<LabNamespace> OwnerAsync(NetnsLab lab, IPAddress vip) =>
        SingleAnswererAsync(lab, () => lab.ArpingAsync(lab.Client, vip, requests: 2, cancellationToken: Ct));

    /// <summary>The node whose MAC answers neighbour solicitations for the IPv6 address (ndisc6); fails unless exactly one does (within 30 s).</summary>
    public static Task<LabNamespace> NdiscOwnerAsync(NetnsLab lab, IPAddress vip) =>
        SingleAnswererAsync(lab, () => lab.NdiscAsync(lab.Client, vip, attempts: 2, cancellationToken: Ct));

    private static async Task<LabNamespace> SingleAnswererAsync(NetnsLab lab, Func<Task<IReadOnlyList<ArpReply>>> ask)
    {
        IReadOnlyList<ArpReply> replies = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            replies = await ask();
            if (replies.Count == 1)
            {
                break;
            }

            await Task.Delay(200, Ct);
        }

        var reply = Assert.Single(replies);
        return Assert.Single(lab.Nodes, n => n.Mac.Equals(reply.Mac));
    }

    /// <summary>The nodes whose <c>ferry0</c> holds <paramref name="vip"/> now (a node whose replica has not made ferry0 yet holds nothing).</summary>
    public static async Task<IReadOnlyList<LabNamespace>> HoldersAsync(NetnsLab lab, IPAddress vip)
    {
        var holders = new List<LabNamespace>();
        foreach (var node in lab.Nodes)
        {
            var device = await lab.ExecAsync(node, TimeSpan.FromSeconds(30), ["ip", "link", "show", "dev", "ferry0"], Ct);
            if (device.Succeeded && (await lab.AddressesAsync(node, "ferry0", Ct)).Any(a => a.Address.Equals(vip)))
            {
                holders.Add(node);
            }
        }

        return holders;
    }

    /// <summary>
    /// The node that answers ARP (neighbour solicitations for IPv6) for <paramref name="vip"/> and is the only one holding it on ferry0, once both agree
    /// (within 30 s: right after a start or a change ownership may still move). A disagreement seen on the way is
    /// reported with the replicas' log lines about the address; none in time fails with them.
    /// </summary>
    public static async Task<LabNamespace> OwnerHoldingAsync(NetnsLab lab, LabCluster cluster, IPAddress vip)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = new List<string>();
        while (true)
        {
            var owner = vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? await NdiscOwnerAsync(lab, vip) : await OwnerAsync(lab, vip);
            var holders = await HoldersAsync(lab, vip);
            if (holders.Count == 1 && holders[0].Equals(owner))
            {
                if (seen.Count > 0)
                {
                    Report($"{vip}: ARP and ferry0 disagreed before settling on {owner.Role}: {string.Join("; ", seen)}\n{ReplicaLines(cluster, vip)}");
                }

                return owner;
            }

            seen.Add($"answering {owner.Role}, ferry0 [{string.Join(", ", holders.Select(h => h.Role))}]");
            Assert.True(DateTime.UtcNow < deadline, $"{vip}: the node answering ARP never was the only one holding it: {string.Join("; ", seen)}\n{ReplicaLines(cluster, vip)}");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Every replica's log lines that name <paramref name="vip"/>, for failure messages.</summary>
    public static string ReplicaLines(LabCluster cluster, IPAddress vip) =>
        string.Join('\n', cluster.Replicas.SelectMany(r => r.Value.Lines.Where(l => l.Contains(vip.ToString(), StringComparison.Ordinal)).Select(l => r.Key + ": " + l)));

    /// <summary>Waits (bounded by <paramref name="timeout"/>, polling <c>ip addr</c>) until exactly <paramref name="expected"/> hold <paramref name="vip"/> on ferry0; returns how long that took, null if not in time.</summary>
    public static async Task<TimeSpan?> WaitForHoldersAsync(NetnsLab lab, IPAddress vip, IReadOnlyCollection<LabNamespace> expected, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var holders = await HoldersAsync(lab, vip);
            if (holders.Count == expected.Count && holders.All(expected.Contains))
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed >= timeout)
            {
                return null;
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>Waits (bounded by <paramref name="timeout"/>, reading the table only) until the client's neighbour entry for <paramref name="address"/> has <paramref name="node"/>'s MAC; the last entry seen.</summary>
    public static async Task<NeighbourEntry?> WaitForNeighbourAsync(NetnsLab lab, IPAddress address, LabNamespace node, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var entry = await lab.NeighbourAsync(lab.Client, address, Ct);
        while (!node.Mac.Equals(entry?.Mac) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
            entry = await lab.NeighbourAsync(lab.Client, address, Ct);
        }

        return entry;
    }

    /// <summary>Waits (bounded, 30 s) for an Event on Service <paramref name="service"/> that matches; null if none came.</summary>
    public static async Task<Corev1Event?> WaitForEventAsync(LabCluster cluster, string service, Func<Corev1Event, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={service}", cancellationToken: Ct);
            if (events.Items.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }

            await Task.Delay(200, Ct);
        }
    }

    /// <summary>
    /// Waits (bounded, 30 s per pair) until every replica has heard every other one alive. Before that the
    /// replicas are still finding each other (a replica's Lease is listed every 10 s) and addresses move
    /// as they do, so an owner seen by ARP then may not be the owner a moment later.
    /// </summary>
    public static async Task WaitForMeshAsync(NetnsLab lab, LabCluster cluster)
    {
        foreach (var (role, replica) in cluster.Replicas)
        {
            foreach (var peer in lab.Nodes.Where(n => n.Role != role))
            {
                if (!await replica.WaitForOutputAsync($"Peer {peer.Role} ({peer.IPv4}:7947) is alive", TimeSpan.FromSeconds(30), Ct))
                {
                    throw new TimeoutException($"{role} did not hear {peer.Role} within 30 s:\n{replica.Output}");
                }
            }
        }
    }

    /// <summary>
    /// Waits (bounded, 30 s per replica) until every replica's <c>/readyz</c>, asked from the client's namespace, answers
    /// 200: its serving controller has filled its caches and planned with the membership settled, so it says it is ready in
    /// its heartbeats and its peers count it as a candidate owner from the next one (100 ms apart; half a second more is
    /// allowed for that). Alive (<see cref="WaitForMeshAsync"/>) is not ready: a Service created in between is owned at
    /// first by the replicas ready already, then by its owner among all, and the two may probe for its address at once
    /// (the one that sees the other's probe as a conflict then refuses the address for ServingOptions.ResyncInterval, 30 s).
    /// </summary>
    public static async Task WaitForReadyAsync(NetnsLab lab, LabCluster cluster)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = NetworkNamespace.Run(lab.Client.Name, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(5),
        };

        foreach (var node in lab.Nodes)
        {
            var url = new Uri(LabCluster.AdminUrl(node), "readyz");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            var last = "no answer";
            while (true)
            {
                try
                {
                    using var response = await http.GetAsync(url, Ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }

                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !Ct.IsCancellationRequested)
                {
                    last = e.Message;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{node.Role}'s {url} did not answer 200 within 30 s: {last}\n{cluster.Replicas[node.Role].Output}");
                await Task.Delay(100, Ct);
            }
        }

        await Task.Delay(500, Ct);
    }

    /// <summary>Waits (bounded, 60 s) until nobody answers ARP for the address; false if someone still does then.</summary>
    public static async Task<bool> WaitUnansweredAsync(NetnsLab lab, IPAddress vip)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if ((await lab.ArpingAsync(lab.Client, vip, requests: 2, cancellationToken: Ct)).Count == 0)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(200, Ct);
        }
    }
}
