using System.Net;
using Ferry.Contracts;
using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane.Tests;

/// <summary>The consistent slot table of the kernel's client hash: minimal movement, weights in proportion, order-independent.</summary>
public class SlotTableTests
{
    private static readonly BackendSpec[] _ten = [.. Enumerable.Range(0, 10).Select(i => new BackendSpec(IPAddress.Parse($"198.51.100.{10 + i}"), 8080))];

    [Fact]
    public void RemovingOneOfTen_MovesOnlyItsSlots_AboutATenth()
    {
        var before = SlotTable.Build(_ten);
        var gone = _ten[3];
        var after = SlotTable.Build([.. _ten.Where(b => b != gone)]);

        var moved = Enumerable.Range(0, SlotTable.Size).Count(i => before[i] != after[i]);
        var owned = before.Count(b => b == gone);

        // Exactly minimal: the moved slots are the removed backend's, and nothing else moves.
        Assert.Equal(owned, moved);
        Assert.All(Enumerable.Range(0, SlotTable.Size).Where(i => before[i] != gone), i => Assert.Equal(before[i], after[i]));
        var fraction = (double)moved / SlotTable.Size;
        Assert.InRange(fraction, 0.07, 0.13); // ideal 1/10; measured 0.095 (97 of 1021)
        TestContext.Current.SendDiagnosticMessage($"moved {moved} of {SlotTable.Size} slots ({fraction:P1}) removing 1 of 10");
    }

    [Fact]
    public void AddingOne_TakesSlotsOnlyForItself()
    {
        var before = SlotTable.Build(_ten[..9]);
        var after = SlotTable.Build(_ten);

        var changed = Enumerable.Range(0, SlotTable.Size).Where(i => before[i] != after[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.Equal(_ten[9], after[i]));
    }

    [Fact]
    public void Weights_AreRespectedInProportion_AndOrderDoesNotMatter()
    {
        var heavy = new BackendSpec(IPAddress.Parse("198.51.100.2"), 80, Weight: 3);
        var light = new BackendSpec(IPAddress.Parse("198.51.100.3"), 80, Weight: 1);
        var none = new BackendSpec(IPAddress.Parse("198.51.100.4"), 80, Weight: 0);

        var slots = SlotTable.Build([heavy, light, none]);
        var reversed = SlotTable.Build([none, light, heavy]);

        Assert.Equal(slots, reversed);
        Assert.DoesNotContain(none, slots);
        Assert.InRange((double)slots.Count(s => s == heavy) / SlotTable.Size, 0.70, 0.80);
        Assert.Empty(SlotTable.Build([none]));
    }

    [Fact]
    public void EqualBackends_GetSharesWithinTheBinomialSpread()
    {
        var shares = SlotTable.Build(_ten).GroupBy(b => b).Select(g => g.Count()).ToList();

        Assert.Equal(10, shares.Count);
        Assert.All(shares, s => Assert.InRange(s, 70, 135)); // 102 expected, σ ≈ 10; measured 82 to 131
    }
}
