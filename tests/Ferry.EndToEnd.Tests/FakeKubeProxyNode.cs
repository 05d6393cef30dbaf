using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// Plays kube-proxy on one fake node's loopback address: the Service's NodePort answers with the
/// node's name, the <c>healthCheckNodePort</c> answers exactly like kube-proxy's per-Service health
/// server, and kube-proxy's own <c>/healthz</c> (docs/upstream-semantics.md, "kube-proxy health checks") can be served on any port.
/// </summary>
internal sealed class FakeKubeProxyNode : IAsyncDisposable
{
    private readonly List<TcpServer> _servers = [];
    private volatile int _localEndpoints = 1;
    private volatile bool _proxyHealthy = true;
    private volatile bool _nodeEligible = true;

    public FakeKubeProxyNode(string name, IPAddress address)
    {
        Name = name;
        Address = address;
    }

    public string Name { get; }

    public IPAddress Address { get; }

    /// <summary>Ready local endpoints of the Service on this node: 0 makes the health check answer 503.</summary>
    public int LocalEndpoints
    {
        get => _localEndpoints;
        set => _localEndpoints = value;
    }

    /// <summary>kube-proxy's own health (<c>serviceProxyHealthy</c>): false makes the health check answer 503.</summary>
    public bool ProxyHealthy
    {
        get => _proxyHealthy;
        set => _proxyHealthy = value;
    }

    /// <summary>kube-proxy's <c>/healthz</c> answer: false makes it 503 (a node being deleted, KEP-3836).</summary>
    public bool NodeEligible
    {
        get => _nodeEligible;
        set => _nodeEligible = value;
    }

    /// <summary>The request lines the health servers received, in order.</summary>
    public ConcurrentQueue<string> HealthRequests { get; } = new();

    /// <summary>A NodePort: writes the node's name to each client and closes.</summary>
    public void ServeNodePort(int port)
    {
        var greeting = Encoding.ASCII.GetBytes(Name);
        _servers.Add(new TcpServer(new IPEndPoint(Address, port), async (client, ct) =>
        {
            await client.SendAsync(greeting, SocketFlags.None, ct);
            client.Shutdown(SocketShutdown.Send);
        }));
    }

    /// <summary>kube-proxy's healthCheckNodePort server for Service <paramref name="ns"/>/<paramref name="name"/>: any path, any method.</summary>
    public void ServeHealthCheckNodePort(int port, string ns, string name) =>
        _servers.Add(new TcpServer(new IPEndPoint(Address, port), async (client, ct) =>
        {
            await ReadRequestAsync(client, ct);
            var local = _localEndpoints;
            var healthy = _proxyHealthy;
            var body = string.Create(
                CultureInfo.InvariantCulture,
                $"{{\n\t\"service\": {{\n\t\t\"namespace\": \"{ns}\",\n\t\t\"name\": \"{name}\"\n\t}},\n\t\"localEndpoints\": {local},\n\t\"serviceProxyHealthy\": {(healthy ? "true" : "false")}\n}}");
            await RespondAsync(client, local != 0 && healthy ? 200 : 503, body, ct);
        }));

    /// <summary>kube-proxy's <c>/healthz</c> on <paramref name="port"/> (10256 in a real cluster).</summary>
    public void ServeProxyHealthz(int port) =>
        _servers.Add(new TcpServer(new IPEndPoint(Address, port), async (client, ct) =>
        {
            var line = await ReadRequestAsync(client, ct);
            var path = line.Split(' ') is [_, var p, ..] ? p : string.Empty;
            if (path is not ("/healthz" or "/livez"))
            {
                await RespondAsync(client, 404, "404 page not found\n", ct, "text/plain; charset=utf-8");
                return;
            }

            var now = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            var eligible = _nodeEligible || path == "/livez";
            var body = path == "/healthz"
                ? $"{{\"lastUpdated\": \"{now}\",\"currentTime\": \"{now}\", \"nodeEligible\": {(_nodeEligible ? "true" : "false")}}}"
                : $"{{\"lastUpdated\": \"{now}\",\"currentTime\": \"{now}\"}}";
            await RespondAsync(client, eligible ? 200 : 503, body, ct);
        }));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<string> ReadRequestAsync(Socket client, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        var text = Encoding.ASCII.GetString(buffer, 0, length);
        var line = text.Split("\r\n")[0];
        HealthRequests.Enqueue(line);
        return line;
    }

    private static async Task RespondAsync(Socket client, int status, string body, CancellationToken ct, string contentType = "application/json")
    {
        var payload = Encoding.UTF8.GetBytes(body);
        var reason = status switch { 200 => "OK", 503 => "Service Unavailable", _ => "Not Found" };
        var head = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nX-Content-Type-Options: nosniff\r\nDate: {DateTime.UtcNow:R}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
        await client.SendAsync(Encoding.ASCII.GetBytes(head).Concat(payload).ToArray(), SocketFlags.None, ct);
        client.Shutdown(SocketShutdown.Send);
    }
}
