using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using Ferry.Announcement.Interfaces;
using Ferry.Announcement.Native;
using Microsoft.Extensions.Logging;

namespace Ferry.Announcement.Arp;

/// <summary>
/// Answers ARP requests for the claimed addresses on one interface from a packet socket (AF_PACKET, ETH_P_ARP)
/// owned by this process, so the answering ends when the process does. Also sends gratuitous ARP and probes.
/// </summary>
internal sealed class ArpResponder : IDisposable
{
    private const int SockaddrLlLength = 20;
    private const byte PacketOutgoing = 4;
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(200);

    private readonly LinkInterface _link;
    private readonly ILogger _logger;
    private readonly int _fd;
    private readonly Thread _receiver;
    private readonly ConcurrentDictionary<IPAddress, TaskCompletionSource<PhysicalAddress>> _probes = new();
    private ImmutableHashSet<IPAddress> _claimed = [];
    private volatile bool _stopping;

    private ArpResponder(LinkInterface link, ILogger logger, int fd)
    {
        _link = link;
        _logger = logger;
        _fd = fd;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "ferry-arp-" + link.Name };
        _receiver.Start();
    }

    public LinkInterface Link => _link;

    /// <summary>Opens and binds the packet socket; without CAP_NET_RAW an <see cref="AnnouncementException"/> says so.</summary>
    public static unsafe ArpResponder Open(LinkInterface link, ILogger logger)
    {
        var protocol = LinuxSyscalls.HostToNetwork(LinuxSyscalls.EthPArp);
        var fd = LinuxSyscalls.Socket(LinuxSyscalls.AfPacket, LinuxSyscalls.SockRaw | LinuxSyscalls.SockCloexec, protocol);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new AnnouncementException(errno is LinuxSyscalls.Eperm or LinuxSyscalls.Eacces
                ? $"answering ARP on {link.Name} needs a packet socket, which needs CAP_NET_RAW (run as root or grant the capability)"
                : $"could not open a packet socket for {link.Name}: {Errors.Describe(errno)}");
        }

        // struct sockaddr_ll { u16 family; be16 protocol; s32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        var address = stackalloc byte[SockaddrLlLength];
        new Span<byte>(address, SockaddrLlLength).Clear();
        *(ushort*)address = LinuxSyscalls.AfPacket;
        *(ushort*)(address + 2) = protocol;
        *(int*)(address + 4) = link.Index;
        if (LinuxSyscalls.Bind(fd, address, SockaddrLlLength) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LinuxSyscalls.Close(fd);
            throw new AnnouncementException($"could not bind a packet socket to {link.Name}: {Errors.Describe(errno)}");
        }

        LinuxSyscalls.SetReceiveTimeout(fd, _pollInterval);
        return new ArpResponder(link, logger, fd);
    }

    public void Answer(IPAddress address) => ImmutableInterlocked.Update(ref _claimed, set => set.Add(address));

    public void StopAnswering(IPAddress address) => ImmutableInterlocked.Update(ref _claimed, set => set.Remove(address));

    public bool IsAnswering => !_claimed.IsEmpty;

    /// <summary>One gratuitous round: a request and a reply, both broadcast, sender and target the address.</summary>
    public void SendGratuitous(IPAddress address)
    {
        Send(ArpFrame.GratuitousRequest(_link.Mac, address));
        Send(ArpFrame.GratuitousReply(_link.Mac, address));
    }

    /// <summary>Sends an ARP probe and waits <paramref name="wait"/> for another host to show it uses the address; returns its MAC, or null.</summary>
    public async Task<PhysicalAddress?> ProbeAsync(IPAddress address, TimeSpan wait, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<PhysicalAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[address] = answer;
        try
        {
            Send(ArpFrame.Probe(_link.Mac, address));
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
        _stopping = true;
        _receiver.Join(_pollInterval * 5);
        LinuxSyscalls.Close(_fd);
    }

    private unsafe void Send(ArpFrame frame)
    {
        var bytes = frame.Encode();
        fixed (byte* pointer = bytes)
        {
            if (LinuxSyscalls.Send(_fd, pointer, bytes.Length, 0) < 0)
            {
                AnnouncerLog.SendFailed(_logger, "ARP", _link.Name, Errors.Describe(Marshal.GetLastPInvokeError()));
            }
        }
    }

    private unsafe void ReceiveLoop()
    {
        var buffer = new byte[2048];
        var address = new byte[SockaddrLlLength];
        while (!_stopping)
        {
            nint received;
            fixed (byte* pointer = buffer)
            fixed (byte* from = address)
            {
                var length = SockaddrLlLength;
                received = LinuxSyscalls.ReceiveFrom(_fd, pointer, buffer.Length, 0, from, &length);
            }

            if (received < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is not (LinuxSyscalls.Eagain or LinuxSyscalls.Eintr) && !_stopping)
                {
                    AnnouncerLog.ReceiveFailed(_logger, "ARP", _link.Name, Errors.Describe(errno));
                    Thread.Sleep(_pollInterval);
                }

                continue;
            }

            // sll_pkttype: frames this host sent are looped back to packet sockets; only what arrives counts.
            if (address[10] != PacketOutgoing && ArpFrame.Decode(buffer.AsSpan(0, (int)received)) is { } frame)
            {
                Handle(frame);
            }
        }
    }

    private void Handle(ArpFrame frame)
    {
        if (frame.SenderMac.Equals(_link.Mac))
        {
            return;
        }

        foreach (var (probed, answer) in _probes)
        {
            if (frame.ShowsOtherHostUsing(probed, _link.Mac))
            {
                answer.TrySetResult(frame.SenderMac);
            }
        }

        var claimed = _claimed;
        if (frame.Operation == ArpOperation.Request && claimed.Contains(frame.TargetIp) && !frame.SenderIp.Equals(frame.TargetIp))
        {
            Send(ArpFrame.ReplyTo(frame, _link.Mac, frame.TargetIp));
        }
        else if (claimed.Contains(frame.SenderIp))
        {
            AnnouncerLog.OtherHostClaims(_logger, frame.SenderIp, _link.Name, frame.SenderMac.ToString());
        }
    }
}
