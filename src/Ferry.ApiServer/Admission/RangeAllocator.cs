namespace Ferry.ApiServer.Admission;

/// <summary>
/// A set of allocated offsets in <c>[0, Size)</c> with upstream's dynamic-allocation preference: random picks
/// come from the upper band first (KEP-3070/3668 static subrange), leaving the lower band for static requests.
/// Not thread-safe: <see cref="ServiceAllocator"/> serialises access.
/// </summary>
internal sealed class RangeAllocator
{
    private readonly HashSet<long> _used = [];
    private readonly Random _random;

    public RangeAllocator(long size, long bandOffset, Random random)
    {
        Size = size;
        BandOffset = Math.Clamp(bandOffset, 0, size);
        _random = random;
    }

    public long Size { get; }

    public long BandOffset { get; }

    public int Count => _used.Count;

    public bool IsUsed(long offset) => _used.Contains(offset);

    public bool TryAllocate(long offset) => offset >= 0 && offset < Size && _used.Add(offset);

    public void Release(long offset) => _used.Remove(offset);

    public void Clear() => _used.Clear();

    /// <summary>A free offset, upper band first; null when the range is full.</summary>
    public long? AllocateNext()
    {
        if (_used.Count >= Size)
        {
            return null;
        }

        return ScanFrom(BandOffset, Size) ?? ScanFrom(0, BandOffset);
    }

    private long? ScanFrom(long start, long end)
    {
        var length = end - start;
        if (length <= 0)
        {
            return null;
        }

        var first = start + _random.NextInt64(length);
        for (long i = 0; i < length; i++)
        {
            var candidate = start + ((first - start + i) % length);
            if (_used.Add(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
