namespace Ferry.Configuration;

/// <summary>
/// One problem in a config file (the <c>ferry proxy</c> file, the pools file), named by its path in the document
/// (e.g. <c>loadBalancers[0].listeners[1].backends[0].port</c>) so the user can find it without guessing.
/// </summary>
/// <param name="Path">The path of the offending key; empty for problems with the document as a whole (YAML syntax, an unreadable file).</param>
/// <param name="Message">What is wrong, in lower case without a trailing period (e.g. "must be between 1 and 65535").</param>
/// <param name="Line">1-based line of the offending node, or 0 when unknown.</param>
/// <param name="Column">1-based column of the offending node, or 0 when unknown.</param>
public sealed record ConfigError(string Path, string Message, int Line = 0, int Column = 0)
{
    /// <summary><c>path: message</c>, or just the message for document-wide problems.</summary>
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
