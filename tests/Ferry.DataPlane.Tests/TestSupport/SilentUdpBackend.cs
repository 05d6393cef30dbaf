using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ferry.DataPlane.Tests.TestSupport;

/// <summary>
/// A UDP backend on a given endpoint that counts what it receives and answers nothing (a node whose NodePort is not
/// ready yet) until <see cref="StartAnswering"/>; then it answers each datagram with its name, a colon and the datagram.
/// </summary>
internal sealed class SilentUdpBackend : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _prefix;
    private readonly Task _loop;
    private int _received;
    private volatile bool _answering;

    public SilentUdpBackend(IPEndPoint endPoint, string name)
    {
        _prefix = Encoding.ASCII.GetBytes(name + ":");
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(endPoint);
        _loop = LoopAsync();
    }

    /// <summary>Datagrams received while silent.</summary>
    public int ReceivedCount => Volatile.Read(ref _received);

    public void StartAnswering() => _answering = true;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
#pragma warning disable VSTHRD003 // the loop was started by this object
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            if (!_answering)
            {
                Interlocked.Increment(ref _received);
                continue;
            }

            var reply = new byte[_prefix.Length + result.ReceivedBytes];
            _prefix.CopyTo(reply, 0);
            buffer.AsSpan(0, result.ReceivedBytes).CopyTo(reply.AsSpan(_prefix.Length));
            await _socket.SendToAsync(reply, SocketFlags.None, result.RemoteEndPoint, _stop.Token);
        }
    }
}
