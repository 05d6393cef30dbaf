namespace Ferry.ApiServer.Http;

/// <summary>The resourceVersion options of a list, already checked against each other.</summary>
/// <param name="ResourceVersion">The <c>resourceVersion</c> query value (empty when unset).</param>
/// <param name="ResourceVersionMatch"><c>Exact</c>, <c>NotOlderThan</c> or empty.</param>
internal sealed record ListOptions(string ResourceVersion, string ResourceVersionMatch);
