namespace Ferry.Membership;

/// <summary>
/// Lets a repeated log line through once per interval and key, so a peer with the wrong key or an
/// unreachable address logs once a minute instead of ten times a second. Thread-safe.
/// </summary>
internal sealed class LogThrottle(TimeProvider timeProvider, TimeSpan interval)
{
    // Sources of dropped datagrams can be spoofed; past this many keys the memory starts over.
    private const int MaxKeys = 1024;

    private readonly Dictionary<string, long> _lastLogged = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>True when a line for <paramref name="key"/> may be logged now.</summary>
    public bool ShouldLog(string key)
    {
        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            if (_lastLogged.TryGetValue(key, out var last) && timeProvider.GetElapsedTime(last, now) < interval)
            {
                return false;
            }

            if (_lastLogged.Count >= MaxKeys)
            {
                _lastLogged.Clear();
            }

            _lastLogged[key] = now;
            return true;
        }
    }
}
