namespace Ferry.Controller.Pools;

/// <summary>One problem in an <c>AddressPool</c> object, named by its path so the user finds it (<c>spec.addresses[1]</c>).</summary>
/// <param name="Path">The path of the offending field in the object, as kubectl's JSONPath without the leading dot.</param>
/// <param name="Message">What is wrong, in lower case without a trailing period, worded as the pools file's errors.</param>
public sealed record PoolFieldError(string Path, string Message)
{
    /// <summary><c>path: message</c>, as the pools file's errors read.</summary>
    public override string ToString() => $"{Path}: {Message}";
}
