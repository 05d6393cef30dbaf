namespace Ferry.ApiServer.Selectors;

/// <summary>
/// A label or field selector could not be parsed. The message follows kube-apiserver's wording
/// (e.g. <c>unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt</c>) so it can be
/// returned verbatim in a 400 BadRequest Status.
/// </summary>
public sealed class SelectorParseException : FormatException
{
    public SelectorParseException()
    {
    }

    public SelectorParseException(string message)
        : base(message)
    {
    }

    public SelectorParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
