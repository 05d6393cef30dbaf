using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Ferry.Announcement.Interfaces;
using Microsoft.Extensions.Logging;

namespace Ferry.Announcement.Ndp;

/// <summary>
/// Answers neighbour solicitations for the claimed IPv6 addresses on one interface from a raw ICMPv6 socket
/// owned by this process (bound to the interface, hop limit 255 as RFC 4861 requires), joined to each claimed
/// address's solicited-node group. Also sends unsolicited advertisements and probes.
/// </summary>
internal sealed class NdpResponder : IDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int Ipv6Level = 41;
    private const int Ipv6UnicastHops = 16;
    private const int Ipv6MulticastIf = 17;
    private const int Ipv6MulticastHops = 18;
    private const int Ipv6MulticastLoop = 19;
    private const int IcmpV6Level = 58;
    private const int IcmpV6Filter = 1;

    private readonly LinkInterface _link;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<IPAddress, TaskCompletionSource<PhysicalAddress>> _probes = new();
    private readonly Dictionary<IPAddress, int> _groups = [];
    private readonly ConcurrentDictionary<IPAddress, Socket> _senders = new();
    private readonly Lock _groupsLock = new();
    private ImmutableHashSet<IPAddress> _claimed = [];

    private NdpResponder(LinkInterface link, ILogger logger, Socket socket)
    {
        _link = link;
        _logger = logger;
        _socket = socket;
        _ = Task.Run(ReceiveLoopAsync);
    }

    public LinkInterface Link => _link;

    /// <summary>Opens the raw ICMPv6 socket on the interface; without CAP_NET_RAW an <see cref="AnnouncementException"/> says so.</summary>
    public static NdpResponder Open(LinkInterface link, ILogger logger) => new(link, logger, OpenSocket(link, IPAddress.IPv6Any));

    /// <summary>
    /// A raw ICMPv6 socket on the interface, bound to <paramref name="source"/>. Advertisements for a claimed
    /// address are sent from a socket bound to that address, as the kernel sends its own (source = target),
    /// which strict tools such as ndisc6 require; the receiving socket is bound to :: (.NET receives only on a bound socket).
    /// </summary>
    private static Socket OpenSocket(LinkInterface link, IPAddress source)
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied)
        {
            throw new AnnouncementException($"answering neighbour solicitations on {link.Name} needs a raw ICMPv6 socket, which needs CAP_NET_RAW (run as root or grant the capability)", e);
        }

        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(link.Name + "\0"));
            SetInt(socket, Ipv6UnicastHops, 255);
            SetInt(socket, Ipv6MulticastHops, 255);
            SetInt(socket, Ipv6MulticastIf, link.Index);
            SetInt(socket, Ipv6MulticastLoop, 0);
            // ICMP6_FILTER (a set bit blocks the type): the receiving socket takes solicitations and
            // advertisements only; a sending socket takes nothing, so no queue fills up unread.
            var receives = source.Equals(IPAddress.IPv6Any);
            var filter = new uint[8];
            Array.Fill(filter, uint.MaxValue);
            if (receives)
            {
                filter[NdpMessage.NeighborSolicitation >> 5] &= ~(1u << (NdpMessage.NeighborSolicitation & 31));
                filter[NdpMessage.NeighborAdvertisement >> 5] &= ~(1u << (NdpMessage.NeighborAdvertisement & 31));
            }

            socket.SetRawSocketOption(IcmpV6Level, IcmpV6Filter, System.Runtime.InteropServices.MemoryMarshal.AsBytes(filter.AsSpan()));
            socket.Bind(new IPEndPoint(source, 0));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new AnnouncementException($"could not set up the ICMPv6 socket on {link.Name} (source {source}): {e.Message}", e);
        }

        return socket;
    }

    /// <summary>Starts answering for the address: joins its solicited-node group (shared groups are counted).</summary>
    public void Answer(IPAddress address)
    {
        lock (_groupsLock)
        {
            if (_claimed.Contains(address))
            {
                return;
            }

            var group = NdpMessage.SolicitedNodeGroup(address);
            var members = _groups.GetValueOrDefault(group);
            if (members == 0)
            {
                _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(group, _link.Index));
            }

            _groups[group] = members + 1;
            _senders[address] = OpenSocket(_link, address);
            _claimed = _claimed.Add(address);
        }
    }

    public void StopAnswering(IPAddress address)
    {
        lock (_groupsLock)
        {
            if (!_claimed.Contains(address))
            {
                return;
            }

            _claimed = _claimed.Remove(address);
            if (_senders.TryRemove(address, out var sender))
            {
                sender.Dispose();
            }

            var group = NdpMessage.SolicitedNodeGroup(address);
            var members = _groups.GetValueOrDefault(group) - 1;
            if (members <= 0)
            {
                _groups.Remove(group);
                _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.DropMembership, new IPv6MulticastOption(group, _link.Index));
            }
            else
            {
                _groups[group] = members;
            }
        }
    }

    /// <summary>One unsolicited advertisement to all nodes, override flag set: neighbours holding an entry update it.</summary>
    public Task SendUnsolicitedAsync(IPAddress address, CancellationToken cancellationToken) =>
        SendAsync(NdpMessage.Advertisement(address, _link.Mac, solicited: false), NdpMessage.AllNodes, cancellationToken);

    /// <summary>
    /// Solicits the address on the link (to its solicited-node group) and waits <paramref name="wait"/> for an
    /// advertisement from another host; returns its MAC (empty when it gave none), or null when nobody answered.
    /// </summary>
    public async Task<PhysicalAddress?> ProbeAsync(IPAddress address, TimeSpan wait, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<PhysicalAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[address] = answer;
        try
        {
            await SendAsync(NdpMessage.Solicitation(address, _link.Mac), NdpMessage.SolicitedNodeGroup(address), cancellationToken);
            var finished = await Task.WhenAny(answer.Task, Task.Delay(wait, timeProvider, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            return finished == answer.Task ? await answer.Task : null;
        }
        finally
        {
            _probes.TryRemove(address, out _);
        }
    }

    public void Dispose()
    {
        // Cancelling and closing the socket ends the receive loop; nothing waits for it (it touches nothing else).
        _stop.Cancel();
        _socket.Dispose();
        foreach (var sender in _senders.Values)
        {
            sender.Dispose();
        }
    }

    private static void SetInt(Socket socket, int name, int value) =>
        socket.SetRawSocketOption(Ipv6Level, name, BitConverter.GetBytes(value));

    private async Task SendAsync(NdpMessage message, IPAddress destination, CancellationToken cancellationToken)
    {
        var scoped = new IPAddress(destination.GetAddressBytes(), destination.IsIPv6LinkLocal || destination.IsIPv6Multicast ? _link.Index : 0);
        try
        {
            var socket = message.Type == NdpMessage.NeighborAdvertisement && _senders.TryGetValue(message.Target, out var sender) ? sender : _socket;
            await socket.SendToAsync(message.Encode(), SocketFlags.None, new IPEndPoint(scoped, 0), cancellationToken);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            AnnouncerLog.SendFailed(_logger, "NDP", _link.Name, e.Message);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[2048];
        var stop = _stop.Token;
        // Bounded by the socket's life: Dispose cancels and closes it, which ends the receive.
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.IPv6Any, 0), stop);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException)
            {
                AnnouncerLog.ReceiveFailed(_logger, "NDP", _link.Name, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (NdpMessage.Decode(buffer.AsSpan(0, received.ReceivedBytes)) is { } message)
            {
                await HandleAsync(message, ((IPEndPoint)received.RemoteEndPoint).Address, stop);
            }
        }
    }

    private async Task HandleAsync(NdpMessage message, IPAddress source, CancellationToken cancellationToken)
    {
        if (message.LinkLayerAddress is { } mac && mac.Equals(_link.Mac))
        {
            return;
        }

        if (message.Type == NdpMessage.NeighborAdvertisement)
        {
            if (_probes.TryGetValue(message.Target, out var answer))
            {
                answer.TrySetResult(message.LinkLayerAddress ?? PhysicalAddress.None);
            }
            else if (_claimed.Contains(message.Target))
            {
                AnnouncerLog.OtherHostClaims(_logger, message.Target, _link.Name, message.LinkLayerAddress?.ToString() ?? "(no link-layer address)");
            }

            return;
        }

        if (!_claimed.Contains(message.Target))
        {
            return;
        }

        // A solicitation from :: is another host's duplicate address detection: defend to all nodes (RFC 4862 5.4.3).
        var fromUnspecified = source.Equals(IPAddress.IPv6Any);
        await SendAsync(NdpMessage.Advertisement(message.Target, _link.Mac, solicited: !fromUnspecified),
            fromUnspecified ? NdpMessage.AllNodes : source, cancellationToken);
    }
}
