using System.Net;
using System.Net.Sockets;

namespace Ferry.KernelPlane.Tests;

/// <summary>A TCP echo backend whose listening socket lives in a lab namespace: every byte read is written back.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public EchoServer(LabNamespace ns, IPEndPoint endPoint)
    {
        _listener = NetnsLab.Run(ns, () =>
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(64);
            return socket;
        });
        EndPoint = endPoint;
        _accepting = AcceptAsync(_stop.Token);
    }

    public IPEndPoint EndPoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
#pragma warning disable VSTHRD003 // the accept loop was started by this instance
            await _accepting;
#pragma warning restore VSTHRD003
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stop)
    {
        for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
        {
            var client = await _listener.AcceptAsync(stop);
            _ = Task.Run(() => EchoAsync(client, stop), CancellationToken.None);
        }
    }

    private static async Task EchoAsync(Socket client, CancellationToken stop)
    {
        using (client)
        {
            var buffer = new byte[16384];
            try
            {
                int read;
                while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, stop)) > 0)
                {
                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop);
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // the client or the test went away
            }
        }
    }
}
