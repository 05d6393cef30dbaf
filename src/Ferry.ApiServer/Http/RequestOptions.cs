using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Selectors;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The one reader of a request's query options, shared by list, get, watch and the writes: one truthiness
/// rule for flags, one resourceVersion parser (<see cref="ResourceVersions"/>). Each option is read and
/// checked when the endpoint asks for it, so errors come in the order kube-apiserver reports them.
/// </summary>
internal sealed class RequestOptions(IQueryCollection query)
{
    private const long MaxTimeoutSeconds = 30L * 24 * 3600;
    private readonly IQueryCollection _query = query;

    /// <summary><c>watch</c>: a GET on a collection streams events instead of listing.</summary>
    public bool Watch => Flag("watch");

    /// <summary><c>force</c>: server-side apply takes over conflicting fields.</summary>
    public bool Force => Flag("force");

    /// <summary>What Table rows carry: <c>None</c>, <c>Metadata</c> (default) or <c>Object</c>.</summary>
    public string IncludeObject => Text("includeObject") is { Length: > 0 } v ? v : "Metadata";

    /// <summary>
    /// A boolean query flag, true as Go's <c>strconv.ParseBool</c> reads it (<c>1 t T true True TRUE</c>);
    /// anything else, or absent, is false.
    /// </summary>
    public bool Flag(string name) => Text(name) is "true" or "True" or "TRUE" or "1" or "t" or "T";

    /// <summary>A query value (repeated values joined by commas), or null when absent.</summary>
    public string? Text(string name) =>
        _query.TryGetValue(name, out var v) && v.Count > 0 ? v.ToString() : null;

    /// <summary><c>dryRun</c>: true for <c>All</c>; any other value is 400.</summary>
    public bool DryRun()
    {
        if (!_query.TryGetValue("dryRun", out var values))
        {
            return false;
        }

        foreach (var v in values)
        {
            if (v != "All")
            {
                throw ApiErrors.BadRequest("unsupported dryRun value \"" + v + "\": supported values are: All");
            }
        }

        return values.Count > 0;
    }

    /// <summary>
    /// The options of create, update and patch: <c>fieldValidation</c>, <c>dryRun</c>, <c>fieldManager</c> (else the
    /// prefix of <paramref name="userAgent"/> names the manager of a non-apply write).
    /// </summary>
    public WriteOptions ForWrite(string? userAgent = null)
    {
        var validation = Text("fieldValidation") ?? "Warn";
        if (validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiErrors.BadRequest("fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\"");
        }

        var manager = Text("fieldManager");
        return new WriteOptions(DryRun(), validation, manager, string.IsNullOrEmpty(manager) ? Patching.UpdateOwnership.ManagerFromUserAgent(userAgent) : manager);
    }

    /// <summary>
    /// The label and field selectors as one predicate (null: everything), narrowed to <paramref name="name"/> when
    /// given (the legacy <c>/watch/…/name</c> path); 400 on bad syntax or an unsupported field.
    /// </summary>
    public Func<JsonObject, bool>? Selector(ResourceType type, string? name)
    {
        var fieldSelector = Text("fieldSelector");
        if (name is not null)
        {
            fieldSelector = string.IsNullOrEmpty(fieldSelector) ? "metadata.name=" + name : fieldSelector + ",metadata.name=" + name;
        }

        return SelectorFilter.Compile(type, Text("labelSelector"), fieldSelector);
    }

    /// <summary>The list's resourceVersion options; 422 or 400 for combinations kube-apiserver refuses.</summary>
    public ListOptions ForList()
    {
        var rv = Text("resourceVersion") ?? string.Empty;
        var match = Text("resourceVersionMatch") ?? string.Empty;
        var continueToken = Text("continue") ?? string.Empty;
        if (match.Length > 0)
        {
            if (match is not ("Exact" or "NotOlderThan"))
            {
                throw InvalidListOptions("resourceVersionMatch: Unsupported value: \"" + match + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
            }

            if (rv.Length == 0)
            {
                throw InvalidListOptions("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
            }

            if (continueToken.Length > 0)
            {
                throw InvalidListOptions("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided");
            }

            if (match == "Exact" && rv == "0")
            {
                throw InvalidListOptions("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
            }
        }

        if (continueToken.Length > 0)
        {
            if (!ResourceVersions.IsAny(rv))
            {
                throw ApiErrors.BadRequest("specifying resource version is not allowed when using continue");
            }

            // This server never hands out continue tokens (it ignores limit and returns everything).
            throw ApiErrors.BadRequest("invalid continue token: this server does not paginate; list without continue");
        }

        return new ListOptions(rv, match);
    }

    /// <summary>The watch options; 400 for a bad timeout or version, 422 for <c>resourceVersionMatch</c> without <c>sendInitialEvents</c>.</summary>
    public WatchOptions ForWatch()
    {
        var rv = Text("resourceVersion") ?? string.Empty;
        var allowBookmarks = Flag("allowWatchBookmarks");
        var sendInitial = Flag("sendInitialEvents");
        var timeout = ParseTimeout(Text("timeoutSeconds") ?? string.Empty);
        if (Text("resourceVersionMatch") is { Length: > 0 } && !sendInitial)
        {
            throw InvalidListOptions("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
        }

        long? from = sendInitial || ResourceVersions.IsAny(rv) ? null : ResourceVersions.Parse(rv);
        return new WatchOptions(from, allowBookmarks, sendInitial, timeout, IncludeObject);
    }

    private static TimeSpan? ParseTimeout(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw ApiErrors.BadRequest("invalid timeoutSeconds \"" + text + "\"");
        }

        // Timers take at most ~49.7 days (uint milliseconds); a longer timeout must not become a 500.
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxTimeoutSeconds));
    }

    private static ApiException InvalidListOptions(string detail) =>
        new(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + detail);
}
