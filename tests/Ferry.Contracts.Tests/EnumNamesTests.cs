
namespace Ferry.Contracts.Tests;

/// <summary>Ferry.Contracts' names tables (here until Ferry.Contracts has a test project of its own).</summary>
public class EnumNamesTests
{
    [Fact]
    public void EveryAlgorithmAndVersion_HasOneNameThatParsesBack()
    {
        foreach (var algorithm in Enum.GetValues<BalancingAlgorithm>())
        {
            Assert.True(BalancingAlgorithmNames.TryParse(BalancingAlgorithmNames.ToName(algorithm), out var parsed));
            Assert.Equal(algorithm, parsed);
        }

        foreach (var version in Enum.GetValues<ProxyProtocolVersion>())
        {
            Assert.True(ProxyProtocolVersionNames.TryParse(ProxyProtocolVersionNames.ToName(version), out var parsed));
            Assert.Equal(version, parsed);
        }

        Assert.Equal(Enum.GetValues<BalancingAlgorithm>().Length, BalancingAlgorithmNames.All.Count);
        Assert.Equal(["none", "v1", "v2"], ProxyProtocolVersionNames.All);
    }

    [Theory]
    [InlineData("ClientIPHash", true)]
    [InlineData("clientiphash", true)]
    [InlineData(" clientIpHash", false)]
    [InlineData("4", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void TryParse_IgnoresCaseOnly(string? text, bool valid) =>
        Assert.Equal(valid, BalancingAlgorithmNames.TryParse(text, out _));
}
