namespace Ferry.Standalone;

/// <summary>What one reload of the config file did.</summary>
public enum ReloadOutcome
{
    /// <summary>The file was valid and every load balancer in it was applied (or already was).</summary>
    Applied,

    /// <summary>The file was valid, but the provider refused or failed some load balancers; those keep their previous state.</summary>
    PartiallyApplied,

    /// <summary>The file could not be read or had errors; the provider was not called and the previous config keeps running.</summary>
    Rejected,

    /// <summary>The file's content had not changed since the last reload; nothing was done.</summary>
    Unchanged,
}
