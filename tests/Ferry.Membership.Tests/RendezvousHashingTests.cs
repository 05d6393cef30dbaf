using System.Globalization;

namespace Ferry.Membership.Tests;

/// <summary>Property tests of the owner choice, over keys from a seeded generator (reproducible).</summary>
public class RendezvousHashingTests
{
    private static readonly string[] _nodes = ["node-a", "node-b", "node-c"];
    private static readonly string?[] _pinned = ["node-b", "node-b", "node-b", "node-b", "node-a", "node-a", "node-c", "node-b", "node-b"];

    [Fact]
    public void NoCandidates_NoOwner()
    {
        Assert.Null(RendezvousHashing.Owner("192.0.2.10", []));
        Assert.Empty(RendezvousHashing.Rank("192.0.2.10", []));
    }

    [Fact]
    public void SameInput_SameOwner_WhateverTheCandidateOrder()
    {
        var random = new Random(8);
        foreach (var key in Keys(500))
        {
            var owner = RendezvousHashing.Owner(key, _nodes);
            var shuffled = _nodes.ToArray();
            random.Shuffle(shuffled);

            Assert.Equal(owner, RendezvousHashing.Owner(key, shuffled));
            Assert.Equal(RendezvousHashing.Rank(key, _nodes), RendezvousHashing.Rank(key, shuffled));
            Assert.Equal(owner, RendezvousHashing.Rank(key, shuffled)[0]);
        }
    }

    /// <summary>
    /// Pinned answers: every process on every machine and every release must compute these (a different
    /// answer means replicas of two versions would both claim, or both skip, an address). A per-process
    /// hash such as string.GetHashCode would fail here.
    /// </summary>
    [Fact]
    public void Owners_AreStableAcrossProcessesAndReleases()
    {
        string[] keys = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "198.51.100.10", "203.0.113.200", "2001:db8::1", "2001:db8::2", "2001:db8::ff"];

        var owners = keys.Select(key => RendezvousHashing.Owner(key, _nodes)).ToArray();

        Assert.Equal(_pinned, owners);
        Assert.Equal(0x62f3b40c316c9b67UL, RendezvousHashing.Weight("192.0.2.1", "node-a"));
    }

    [Fact]
    public void Rank_ListsEveryDistinctCandidateOnce()
    {
        var rank = RendezvousHashing.Rank("198.51.100.7", ["node-b", "node-a", "node-b", "node-c"]);
        Assert.Equal(3, rank.Count);
        Assert.Equal(_nodes, rank.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ThreeCandidates_ShareThreeThousandKeys_WithinTenPercent()
    {
        var counts = Keys(3000).GroupBy(key => RendezvousHashing.Owner(key, _nodes)!).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, count => Assert.InRange(count, 900, 1100));
    }

    [Fact]
    public void RemovingACandidate_MovesOnlyItsKeys()
    {
        var keys = Keys(3000).ToList();
        var before = keys.ToDictionary(key => key, key => RendezvousHashing.Owner(key, _nodes)!);
        var remaining = _nodes.Where(n => n != "node-b").ToArray();

        var moved = 0;
        foreach (var key in keys)
        {
            var after = RendezvousHashing.Owner(key, remaining);
            if (before[key] == "node-b")
            {
                moved++;
                Assert.Equal(RendezvousHashing.Rank(key, _nodes)[1], after); // the runner-up takes over
            }
            else
            {
                Assert.Equal(before[key], after);
            }
        }

        Assert.True(moved > 0);
    }

    [Fact]
    public void AddingACandidate_TakesKeysOnlyToIt()
    {
        var grown = _nodes.Append("node-d").ToArray();
        var taken = 0;
        foreach (var key in Keys(3000))
        {
            var before = RendezvousHashing.Owner(key, _nodes);
            var after = RendezvousHashing.Owner(key, grown);
            if (after != before)
            {
                Assert.Equal("node-d", after);
                taken++;
            }
        }

        Assert.InRange(taken, 600, 900); // about a quarter of the keys
    }

    [Fact]
    public void SimilarKeysAndNames_DoNotCollide()
    {
        // The key's length is part of the hashed bytes: ("ab","c") and ("a","bc") weigh differently.
        Assert.NotEqual(RendezvousHashing.Weight("ab", "c"), RendezvousHashing.Weight("a", "bc"));
        Assert.NotEqual(RendezvousHashing.Weight("192.0.2.1", "n"), RendezvousHashing.Weight("192.0.2.1", "m"));
        var longKey = new string('k', 1000);
        Assert.Equal(RendezvousHashing.Weight(longKey, "node-a"), RendezvousHashing.Weight(longKey, "node-a"));
    }

    [Fact]
    public void NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => RendezvousHashing.Owner(null!, _nodes));
        Assert.Throws<ArgumentNullException>(() => RendezvousHashing.Owner("k", null!));
        Assert.Throws<ArgumentNullException>(() => RendezvousHashing.Owner("k", ["a", null!]));
        Assert.Throws<ArgumentNullException>(() => RendezvousHashing.Rank("k", ["a", null!]));
    }


    /// <summary>Addresses as keys (what the lead hashes), from a seeded generator.</summary>
    private static IEnumerable<string> Keys(int count)
    {
        var random = new Random(20261205);
        for (var i = 0; i < count; i++)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}");
        }
    }
}
