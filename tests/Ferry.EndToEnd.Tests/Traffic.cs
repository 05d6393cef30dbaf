using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.EndToEnd.Tests;

/// <summary>Client side of the tests: connections to a VIP, optionally from a chosen loopback source.</summary>
internal static class Traffic
{
    /// <summary>
    /// What a client bound to <paramref name="source"/> (any when null) reads from <paramref name="endPoint"/>;
    /// null when refused or reset, "" when closed without data.
    /// </summary>
    public static async Task<string?> ReadAsync(IPEndPoint endPoint, IPAddress? source = null)
    {
        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(endPoint, timeout.Token);
            var buffer = new byte[256];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token)) > 0)
            {
                total += read;
            }

            return Encoding.ASCII.GetString(buffer, 0, total);
        }
        catch (SocketException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The answers of <paramref name="count"/> sequential connections.</summary>
    public static async Task<List<string?>> SampleAsync(IPEndPoint endPoint, int count, IPAddress? source = null)
    {
        var answers = new List<string?>(count);
        for (var i = 0; i < count; i++)
        {
            answers.Add(await ReadAsync(endPoint, source));
        }

        return answers;
    }

    /// <summary>
    /// Samples until <paramref name="count"/> connections in a row answer exactly the set <paramref name="expected"/>
    /// (bounded by <paramref name="within"/>); returns the last sample's distinct answers.
    /// </summary>
    public static async Task<IReadOnlySet<string?>> WaitForSetAsync(IPEndPoint endPoint, IReadOnlyCollection<string?> expected, int count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        HashSet<string?> seen;
        do
        {
            seen = [.. await SampleAsync(endPoint, count)];
            if (seen.SetEquals(expected))
            {
                return seen;
            }

            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        return seen;
    }

    public static string Show(IEnumerable<string?> answers) => string.Join(",", answers.Select(a => a ?? "<refused>").Order(StringComparer.Ordinal));
}
