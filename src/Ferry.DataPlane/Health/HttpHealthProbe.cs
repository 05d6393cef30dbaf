using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ferry.Contracts;
using Ferry.DataPlane.Backends;

namespace Ferry.DataPlane.Health;

/// <summary>
/// Healthy when <c>GET {Path}</c> answers with <see cref="HealthCheckSpec.ExpectedStatus"/>. This is what
/// kube-proxy's healthCheckNodePort speaks: 200 when the node has local endpoints, 503 when it has none.
/// </summary>
/// <remarks>
/// A minimal HTTP/1.1 client over a socket rather than <c>HttpClient</c>: a probe is one request on a fresh
/// connection (<c>Connection: close</c>) and needs only the status line, so there is no connection pool that
/// could keep a half-dead server looking alive, no proxy from <c>HTTP_PROXY</c> in the environment, no
/// redirects, and nothing to read beyond the first line.
/// </remarks>
public sealed class HttpHealthProbe : IHealthProbe
{
    /// <summary>The status line must fit in this many bytes.</summary>
    private const int MaxStatusLine = 1024;

    private readonly HealthCheckSpec _check;

    public HttpHealthProbe(HealthCheckSpec check)
    {
        if (string.IsNullOrEmpty(check.Path) || check.Path[0] != '/' || check.Path.Any(c => c <= ' ' || c >= 0x7f))
        {
            throw new ArgumentException($"The HTTP health check path '{check.Path}' must start with '/' and hold only visible ASCII.", nameof(check));
        }

        _check = check;
    }

    public async Task<HealthProbeResult> ProbeAsync(BackendState backend, CancellationToken cancellationToken)
    {
        var endPoint = ProbeTarget.EndPointOf(_check, backend);
        var (socket, failure) = await ProbeTarget.ConnectAsync(endPoint, cancellationToken);
        if (socket is null)
        {
            return HealthProbeResult.Unhealthy(failure!);
        }

        using (socket)
        {
            try
            {
                await socket.SendAsync(BuildRequest(endPoint), SocketFlags.None, cancellationToken);
                var status = await ReadStatusAsync(socket, cancellationToken);
                if (status is null)
                {
                    return HealthProbeResult.Unhealthy($"GET {_check.Path} on {endPoint}: no valid HTTP status line");
                }

                return status == _check.ExpectedStatus
                    ? HealthProbeResult.Healthy
                    : HealthProbeResult.Unhealthy($"GET {_check.Path} on {endPoint}: status {status}, expected {_check.ExpectedStatus}");
            }
            catch (SocketException ex)
            {
                return HealthProbeResult.Unhealthy($"GET {_check.Path} on {endPoint}: {ex.SocketErrorCode}");
            }
        }
    }

    private byte[] BuildRequest(IPEndPoint endPoint)
    {
        var host = endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endPoint.Address}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
        return Encoding.ASCII.GetBytes(
            $"GET {_check.Path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Ferry-HealthCheck\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    }

    /// <summary>Reads up to the end of the status line and returns its code, or null when it is not HTTP.</summary>
    private static async Task<int?> ReadStatusAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxStatusLine];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf((byte)'\n') >= 0)
            {
                break;
            }
        }

        return ParseStatus(buffer.AsSpan(0, length));
    }

    /// <summary>Parses <c>HTTP/1.x NNN ...</c>.</summary>
    internal static int? ParseStatus(ReadOnlySpan<byte> response)
    {
        var end = response.IndexOf((byte)'\n');
        var line = end >= 0 ? response[..end] : response;
        if (!line.StartsWith("HTTP/1."u8) || line.Length < 12 || line[8] != (byte)' ')
        {
            return null;
        }

        var code = line.Slice(9, 3);
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status < 100)
        {
            return null;
        }

        return line.Length == 12 || line[12] is (byte)' ' or (byte)'\r' ? status : null;
    }
}
