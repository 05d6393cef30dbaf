using Ferry.ApiServer.Http;

namespace Ferry.ApiServer.Tests.Http;

public class WatchEndpointTests
{
    [Theory]
    [InlineData(0, 1800)]
    [InlineData(1799, 3599)]
    public void DefaultTimeout_ComesFromTheInjectedRandom(int draw, int expectedSeconds)
    {
        var endpoint = new WatchEndpoint(null!, TimeProvider.System, new FixedRandom(draw), TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), endpoint.DefaultTimeout());
    }

    private sealed class FixedRandom(int value) : Random
    {
        public override int Next(int maxValue) => Math.Min(value, maxValue - 1);
    }
}
