using System.Net;

namespace Ferry.Membership.Tests;

public class MembershipOptionsTests
{
    private static readonly IPEndPoint _listen = new(IPAddress.Loopback, 0);

    [Fact]
    public void Defaults_AreValid_AndDetectWithinTheFailoverBudget()
    {
        var options = new MembershipOptions("node-a", _listen);

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.FailureTimeout);
        Assert.True(options.FailureTimeout >= 4 * options.HeartbeatInterval, "tolerates three lost heartbeats in a row");
        Assert.True(options.FailureTimeout * 1.1 < TimeSpan.FromSeconds(1), "detection (timeout plus one evaluation tick) leaves room for the claim");
    }

    [Fact]
    public void EveryProblem_IsListed()
    {
        var options = new MembershipOptions("", _listen)
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(5),
            FailureTimeout = TimeSpan.FromMilliseconds(8),
            ForgetAfter = TimeSpan.FromMilliseconds(1),
            ConfigDigest = new string('d', 256),
            SharedKey = new byte[8],
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.Contains("name is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("under 10 ms", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("two heartbeat intervals", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("forget-after", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("digest is longer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("at least 16", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void LongName_IsRejected_AndTheMembershipRefusesInvalidOptions()
    {
        var options = new MembershipOptions(new string('n', 254), _listen);

        Assert.Contains(options.Validate(), p => p.Contains("longer than 253", StringComparison.Ordinal));
        var error = Assert.Throws<ArgumentException>(() => new HeartbeatMembership(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<HeartbeatMembership>.Instance));
        Assert.Contains("longer than 253", error.Message, StringComparison.Ordinal);
    }
}
