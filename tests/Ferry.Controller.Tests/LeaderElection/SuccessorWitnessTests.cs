using Ferry.Controller.LeaderElection;

namespace Ferry.Controller.Tests.LeaderElection;

public class SuccessorWitnessTests
{
    private static readonly DateTime _t0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AnotherHolder_RenewingBetweenTwoReads_IsASuccessor()
    {
        var witness = new SuccessorWitness("a");

        Assert.False(witness.Observe(new LeaseObservation("b", _t0)));
        Assert.True(witness.Observe(new LeaseObservation("b", _t0.AddSeconds(2))));
        Assert.Equal("b", witness.Successor);
    }

    [Fact]
    public void AnotherHolder_ThatDoesNotRenew_IsNoEvidence()
    {
        // A crashed holder's record, read again and again, proves nothing about who serves.
        var witness = new SuccessorWitness("a");

        Assert.False(witness.Observe(new LeaseObservation("b", _t0)));
        Assert.False(witness.Observe(new LeaseObservation("b", _t0)));
        Assert.False(witness.Observe(new LeaseObservation("b", _t0)));
        Assert.Null(witness.Successor);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("")]
    [InlineData(null)]
    public void OwnOrReleasedLease_IsNoEvidence(string? holder)
    {
        var witness = new SuccessorWitness("a");

        Assert.False(witness.Observe(new LeaseObservation(holder, _t0)));
        Assert.False(witness.Observe(new LeaseObservation(holder, _t0.AddSeconds(2))));
    }

    [Fact]
    public void RenewalTimes_AreComparedWithEachOther_NotWithTheLocalClock()
    {
        // The holder's clock runs an hour behind: its renewals still count, because they change.
        var witness = new SuccessorWitness("a");
        var skewed = _t0.AddHours(-1);

        Assert.False(witness.Observe(new LeaseObservation("b", skewed)));
        Assert.True(witness.Observe(new LeaseObservation("b", skewed.AddSeconds(2))));
    }

    [Fact]
    public void HolderChangingBetweenReads_StartsOver()
    {
        var witness = new SuccessorWitness("a");

        Assert.False(witness.Observe(new LeaseObservation("b", _t0)));
        Assert.False(witness.Observe(new LeaseObservation("c", _t0.AddSeconds(2))));
        Assert.False(witness.Observe(new LeaseObservation("", _t0.AddSeconds(3))));
        Assert.False(witness.Observe(new LeaseObservation("c", _t0.AddSeconds(4))));
        Assert.True(witness.Observe(new LeaseObservation("c", _t0.AddSeconds(6))));
        Assert.Equal("c", witness.Successor);
    }

    [Fact]
    public void Reset_ForgetsTheSuccessor()
    {
        var witness = new SuccessorWitness("a");
        witness.Observe(new LeaseObservation("b", _t0));
        witness.Observe(new LeaseObservation("b", _t0.AddSeconds(2)));

        witness.Reset();

        Assert.Null(witness.Successor);
        Assert.False(witness.Observe(new LeaseObservation("b", _t0.AddSeconds(4))));
    }
}
