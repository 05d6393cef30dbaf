using System.Net.Sockets;
using Ferry.DataPlane.Listeners;

namespace Ferry.DataPlane.Tests.Listeners;

public class AcceptErrorPolicyTests
{
    [Theory]
    [InlineData(SocketError.OperationAborted, "Stopped")]
    [InlineData(SocketError.Interrupted, "Stopped")]
    [InlineData(SocketError.ConnectionReset, "Transient")]
    [InlineData(SocketError.ConnectionAborted, "Transient")]
    [InlineData(SocketError.TooManyOpenSockets, "Transient")]
    [InlineData(SocketError.NoBufferSpaceAvailable, "Transient")]
    [InlineData(SocketError.InvalidArgument, "Fatal")]
    [InlineData(SocketError.AccessDenied, "Fatal")]
    [InlineData(SocketError.SocketError, "Fatal")]
    public void Classify_SocketError_Tier(SocketError error, string expected) =>
        Assert.Equal(expected, AcceptErrorPolicy.Classify(error).ToString());

    [Fact]
    public void NeedsBackoff_OutOfDescriptors_True() =>
        Assert.True(AcceptErrorPolicy.NeedsBackoff(SocketError.TooManyOpenSockets) && !AcceptErrorPolicy.NeedsBackoff(SocketError.ConnectionReset));
}
