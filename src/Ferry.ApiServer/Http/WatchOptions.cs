namespace Ferry.ApiServer.Http;

/// <summary>The options of a watch, parsed and checked.</summary>
/// <param name="FromVersion">The version to resume after, or null to start with the current objects.</param>
/// <param name="AllowBookmarks"><c>allowWatchBookmarks</c>.</param>
/// <param name="SendInitialEvents"><c>sendInitialEvents</c>: start with the current objects whatever the version.</param>
/// <param name="Timeout"><c>timeoutSeconds</c> (capped), or null for the server's randomized default.</param>
/// <param name="IncludeObject">What Table rows carry: <c>None</c>, <c>Metadata</c> or <c>Object</c>.</param>
internal sealed record WatchOptions(long? FromVersion, bool AllowBookmarks, bool SendInitialEvents, TimeSpan? Timeout, string IncludeObject);
