using System.Collections.Immutable;

namespace Ferry.Contracts.Tests;

public class EquatableArrayTests
{
    [Fact]
    public void SameItems_AreEqualWithTheSameHash()
    {
        EquatableArray<int> a = [1, 2, 3];
        EquatableArray<int> b = new int[] { 1, 2, 3 };

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3 }, new[] { 1, 2 })]
    [InlineData(new[] { 1, 2, 3 }, new[] { 3, 2, 1 })]
    [InlineData(new int[0], new[] { 0 })]
    public void DifferentItemsOrOrder_AreNotEqual(int[] left, int[] right)
    {
        EquatableArray<int> a = left;
        EquatableArray<int> b = right;

        Assert.False(a == b);
        Assert.True(a != b);
    }

    [Fact]
    public void Default_EqualsEmpty_AndBehavesEmpty()
    {
        var unset = default(EquatableArray<string>);
        EquatableArray<string> empty = [];

        Assert.Equal(empty, unset);
        Assert.Equal(empty.GetHashCode(), unset.GetHashCode());
        Assert.Equal(0, unset.Length);
        Assert.Empty(unset);
        Assert.True(unset.AsImmutableArray().IsEmpty);
        Assert.Equal("[]", unset.ToString());
        Assert.Equal(unset, new EquatableArray<string>(default(ImmutableArray<string>)));
    }

    [Fact]
    public void Items_CompareWithTheirOwnEquality()
    {
        EquatableArray<BackendSpec> a = [new BackendSpec(System.Net.IPAddress.Loopback, 80)];
        EquatableArray<BackendSpec> b = [new BackendSpec(System.Net.IPAddress.Parse("127.0.0.1"), 80)];

        Assert.Equal(a, b);
        Assert.NotEqual(a, [new BackendSpec(System.Net.IPAddress.Loopback, 80, Weight: 2)]);
    }

    [Fact]
    public void EnumeratesIndexesAndPrints_InOrder()
    {
        var array = new[] { "b", "a", "c" }.ToEquatableArray();

        Assert.Equal(["b", "a", "c"], array);
        Assert.Equal("a", array[1]);
        Assert.Equal(3, ((IReadOnlyCollection<string>)array).Count);
        Assert.Equal("[b, a, c]", array.ToString());
    }
}
