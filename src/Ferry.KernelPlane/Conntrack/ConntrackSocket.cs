using System.Net;
using System.Runtime.InteropServices;
using Ferry.Contracts;
using Ferry.KernelPlane.Native;

namespace Ferry.KernelPlane.Conntrack;

/// <summary>
/// A NETLINK_NETFILTER socket to the kernel's connection tracking (ctnetlink), in process: dumps entries and deletes
/// those of DNATed connections, which ends them (their next packet finds no NAT binding). The socket belongs to the
/// network namespace it is opened in (tests open it inside one). Not thread-safe.
/// </summary>
public sealed class ConntrackSocket : IDisposable
{
    private const int NetlinkNetfilter = 12;
    private readonly byte[] _buffer = new byte[1 << 18];
    private int _fd;
    private uint _sequence;

    private ConntrackSocket(int fd) => _fd = fd;

    /// <summary>Opens the socket in the calling thread's network namespace.</summary>
    /// <exception cref="ConntrackException">Netlink sockets of this kind cannot be opened here.</exception>
    public static unsafe ConntrackSocket Open()
    {
        var fd = LibC.Socket(LibC.AfNetlink, LibC.SockRaw | LibC.SockCloexec, NetlinkNetfilter);
        if (fd < 0)
        {
            throw new ConntrackException($"cannot open a conntrack netlink socket (errno {Marshal.GetLastPInvokeError()})");
        }

        // A receive never blocks for more than 5 s: a lost answer fails the drain instead of hanging it.
        var timeout = stackalloc long[2] { 5, 0 };
        _ = LibC.SetSocketOption(fd, LibC.SolSocket, LibC.SoRcvtimeo, timeout, 16);
        return new ConntrackSocket(fd);
    }

    /// <summary>Every entry of both families.</summary>
    public IReadOnlyList<ConntrackEntry> Dump()
    {
        var sequence = ++_sequence;
        Send(ConntrackMessages.DumpRequest(sequence));
        var entries = new List<ConntrackEntry>();
        for (var reads = 0; reads < 1_000_000; reads++)
        {
            var length = Receive();
            foreach (var (type, seq, payload) in ConntrackMessages.Split(_buffer, length))
            {
                if (seq != sequence)
                {
                    continue;
                }

                switch (type)
                {
                    case ConntrackMessages.Done:
                        return entries;
                    case ConntrackMessages.Error when ConntrackMessages.ErrorCode(payload) is var code and not 0:
                        throw new ConntrackException($"conntrack dump refused (errno {-code})");
                    case ConntrackMessages.EntryType when ConntrackMessages.ParseEntry(payload) is { } entry:
                        entries.Add(entry);
                        break;
                }
            }
        }

        throw new ConntrackException("conntrack dump did not end");
    }

    /// <summary>Deletes one entry; false when it was already gone.</summary>
    public bool Delete(ConntrackEntry entry)
    {
        var sequence = ++_sequence;
        Send(ConntrackMessages.DeleteRequest(sequence, entry));
        for (var reads = 0; reads < 100; reads++)
        {
            var length = Receive();
            foreach (var (type, seq, payload) in ConntrackMessages.Split(_buffer, length))
            {
                if (seq == sequence && type == ConntrackMessages.Error)
                {
                    var code = ConntrackMessages.ErrorCode(payload);
                    return code == 0 || (code == -2 ? false : throw new ConntrackException($"conntrack delete refused (errno {-code})"));
                }
            }
        }

        throw new ConntrackException("conntrack delete was not acknowledged");
    }

    /// <summary>
    /// Deletes the entries of connections of <paramref name="protocol"/> to <paramref name="destination"/> (a VIP and
    /// port) that were DNATed to <paramref name="backend"/> (their reply comes from it). Returns how many went.
    /// </summary>
    public int DeleteNatted(TransportProtocol protocol, IPEndPoint destination, IPEndPoint backend)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(backend);
        var number = protocol == TransportProtocol.Udp ? (byte)17 : (byte)6;
        var matches = Dump().Where(e => e.Protocol == number && e.OriginalDestination.Equals(destination) && e.ReplySource.Equals(backend)).ToList();
        return matches.Count(Delete);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = LibC.Close(_fd);
            _fd = -1;
        }
    }

    /// <summary>To the kernel: an unconnected netlink socket sends to port id 0.</summary>
    private unsafe void Send(byte[] message)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        fixed (byte* bytes = message)
        {
            if (LibC.Send(_fd, bytes, (nuint)message.Length, 0) != message.Length)
            {
                throw new ConntrackException($"conntrack netlink send failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
    }

    private unsafe int Receive()
    {
        fixed (byte* bytes = _buffer)
        {
            var length = LibC.Receive(_fd, bytes, (nuint)_buffer.Length, 0);
            return length >= 0 ? (int)length : throw new ConntrackException($"conntrack netlink receive failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }
}
