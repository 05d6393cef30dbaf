using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ferry.Contracts;
using Ferry.DataPlane.Tests.TestSupport;
using static Ferry.DataPlane.Tests.TestSupport.DataPlaneHarness;

namespace Ferry.DataPlane.Tests.Forwarding;

/// <summary>
/// The pumps switch between the small read buffer, the big one and zero-byte waits depending on how
/// full each read was; every mix of message sizes must arrive intact and be counted once.
/// </summary>
public class TcpBufferSizeTests
{
    [Theory]
    [InlineData(4096, 1024)]
    [InlineData(4096, 0)]
    [InlineData(4096, 4096)]
    [InlineData(4096, 65536)]
    [InlineData(256 * 1024, 4096)]
    public async Task Pump_MessagesAroundBothBufferSizes_EchoedIntactAndCounted(int bufferSize, int smallBufferSize)
    {
        using var timeout = Loopback.Timeout(30);
        var address = Loopback.RandomAddress();
        await using var backend = new TcpTestBackend(address);
        await using var harness = new DataPlaneHarness(new DataPlaneOptions { BufferSize = bufferSize, SmallBufferSize = smallBufferSize });
        var port = await harness.EnsureTcpAsync(address, [backend.EndPoint], timeout.Token);
        using var client = await Loopback.ConnectAsync(new IPEndPoint(address, port), timeout.Token);

        // Sizes just under, at and over each buffer, small again after big (shrinking), then bulk.
        int[] sizes = [1, 1023, 1024, 1025, 4095, 4096, 4097, 3, bufferSize + 1, 17, 3 * bufferSize + 7, 2, 2 * 1024 * 1024 + 11, 5];
        long total = 0;
        foreach (var size in sizes)
        {
            var message = RandomNumberGenerator.GetBytes(size);
            var sending = client.SendAsync(message, SocketFlags.None, timeout.Token).AsTask();
            var echoed = await Loopback.ReadExactlyAsync(client, size, timeout.Token);
            await sending;
            Assert.Equal(SHA256.HashData(message), SHA256.HashData(echoed));
            total += size;
        }

        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await Loopback.ReadToEndAsync(client, timeout.Token));
        Assert.True(await EventuallyAsync(() => harness.Listener(TransportProtocol.Tcp, port).ActiveConnections == 0));
        var stats = harness.Listener(TransportProtocol.Tcp, port);
        Assert.Equal(total, stats.BytesToBackend);
        Assert.Equal(total, stats.BytesToClient);
    }
}
