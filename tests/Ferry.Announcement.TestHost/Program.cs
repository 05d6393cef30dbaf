using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Ferry.Announcement;
using Microsoft.Extensions.Logging;

// Usage (inside a namespace): ip netns exec NS Ferry.Announcement.TestHost [device]
// Commands on stdin, one JSON line out per command:
//   start | claim ADDR [probe] [IFACE...] | release ADDR | claimed | listen-tcp ADDR PORT | quit
// Logs go to stderr.
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole().AddFilter(_ => true)
    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
var options = new AnnouncerOptions { DeviceName = args.Length > 0 ? args[0] : "ferry0" };
var announcer = new LinuxAddressAnnouncer(options, TimeProvider.System, loggerFactory.CreateLogger<LinuxAddressAnnouncer>());
var listeners = new List<TcpListener>();

while (await Console.In.ReadLineAsync() is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0)
    {
        continue;
    }

    object reply;
    try
    {
        switch (words[0])
        {
            case "start":
                var started = await announcer.StartAsync(CancellationToken.None);
                reply = new { ok = true, removed = started.RemovedStale.Select(a => a.ToString()) };
                break;
            case "claim":
                var probe = words.Skip(2).Contains("probe");
                var silent = words.Skip(2).Contains("silent");
                var interfaces = words.Skip(2).Where(w => w is not ("probe" or "silent")).ToImmutableArray();
                var result = await announcer.ClaimAsync(new AddressClaim(IPAddress.Parse(words[1]), interfaces, probe, silent), CancellationToken.None);
                reply = new
                {
                    outcome = result.Outcome.ToString(),
                    interfaces = result.Interfaces,
                    detail = result.Detail,
                    conflictingMac = result.ConflictingMac is { } mac ? string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))) : null,
                };
                break;
            case "release":
                await announcer.ReleaseAsync(IPAddress.Parse(words[1]), CancellationToken.None);
                reply = new { ok = true };
                break;
            case "stop-answering":
                await announcer.StopAnsweringAsync(IPAddress.Parse(words[1]), CancellationToken.None);
                reply = new { ok = true };
                break;
            case "announce-again":
                await announcer.AnnounceAgainAsync(IPAddress.Parse(words[1]), CancellationToken.None);
                reply = new { ok = true };
                break;
            case "claimed":
                reply = new { ok = true, claimed = announcer.Claimed.Select(a => a.ToString()) };
                break;
            case "listen-tcp":
                var listener = new TcpListener(IPAddress.Parse(words[1]), int.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture));
                listener.Start();
                listeners.Add(listener);
                _ = EchoAsync(listener);
                reply = new { ok = true };
                break;
            case "quit":
                await announcer.DisposeAsync();
                listeners.ForEach(l => l.Stop());
                Console.WriteLine(JsonSerializer.Serialize(new { ok = true }));
                return 0;
            default:
                reply = new { error = "unknown command " + words[0] };
                break;
        }
    }
    catch (Exception e) when (e is AnnouncementException or SocketException or FormatException or InvalidOperationException or IndexOutOfRangeException)
    {
        reply = new { error = e.Message };
    }

    Console.WriteLine(JsonSerializer.Serialize(reply));
    await Console.Out.FlushAsync();
}

await announcer.DisposeAsync();
return 0;

// Echoes every byte back on every connection, until the listener stops.
static async Task EchoAsync(TcpListener listener)
{
    while (true)
    {
        TcpClient client;
        try
        {
            client = await listener.AcceptTcpClientAsync();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            using (client)
            {
                try
                {
                    await client.GetStream().CopyToAsync(client.GetStream());
                }
                catch (IOException)
                {
                    // The peer went away.
                }
            }
        });
    }
}
