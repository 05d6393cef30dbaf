namespace Ferry.Controller.Queue;

/// <summary>
/// Per-key exponential backoff, as client-go's <c>ItemExponentialFailureRateLimiter(5s, 300s)</c>
/// that the upstream service controller uses: 5 s, 10 s, 20 s, … capped at 300 s.
/// </summary>
public sealed record RequeueBackoff(TimeSpan Base, TimeSpan Max)
{
    public static readonly RequeueBackoff ServiceController = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(300));

    /// <summary>The delay before retry number <paramref name="failures"/> (1 = first failure).</summary>
    public TimeSpan DelayFor(int failures)
    {
        if (failures <= 1)
        {
            return Base;
        }

        // 2^exponent overflows long ticks quickly; past the cap the answer is the cap.
        var exponent = Math.Min(failures - 1, 40);
        var ticks = Base.Ticks * Math.Pow(2, exponent);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
