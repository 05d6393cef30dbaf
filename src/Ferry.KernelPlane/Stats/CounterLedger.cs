using Ferry.KernelPlane.Ruleset;

namespace Ferry.KernelPlane.Stats;

/// <summary>
/// Counters that survive re-renders. Every change replaces the table, which resets its counters; so before a change
/// the caller reads the live counters (<see cref="Carry"/>), and once the new table is in, the ledger keeps their sum
/// per <see cref="CounterKey"/> as a base (<see cref="Commit"/>) to which the new table's counters add. Counters of
/// keys the new table no longer has (a deleted listener, a drained backend) are forgotten. Pure; not thread-safe.
/// </summary>
public sealed class CounterLedger
{
    private Dictionary<CounterKey, CounterValue> _base = [];
    private IReadOnlyDictionary<string, CounterKey> _names = new Dictionary<string, CounterKey>(StringComparer.Ordinal);

    /// <summary>The base that holds once the table whose counters read <paramref name="live"/> is replaced by one with <paramref name="next"/>'s.</summary>
    public Dictionary<CounterKey, CounterValue> Carry(IReadOnlyDictionary<string, CounterValue> live, IReadOnlyDictionary<string, CounterKey> next)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(next);
        var kept = next.Values.ToHashSet();
        var totals = Totals(live);
        return totals.Where(t => kept.Contains(t.Key)).ToDictionary(t => t.Key, t => t.Value);
    }

    /// <summary>The new table is in: <paramref name="carried"/> (from <see cref="Carry"/>) is the base, <paramref name="names"/> its counters.</summary>
    public void Commit(Dictionary<CounterKey, CounterValue> carried, IReadOnlyDictionary<string, CounterKey> names)
    {
        _base = carried;
        _names = names;
    }

    /// <summary>Every key's total: the base plus the live counter of the current table.</summary>
    public Dictionary<CounterKey, CounterValue> Totals(IReadOnlyDictionary<string, CounterValue> live)
    {
        ArgumentNullException.ThrowIfNull(live);
        var totals = new Dictionary<CounterKey, CounterValue>(_base);
        foreach (var (name, key) in _names)
        {
            if (live.TryGetValue(name, out var value))
            {
                totals[key] = totals.GetValueOrDefault(key) + value;
            }
        }

        return totals;
    }
}
