using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;

namespace Ferry.ApiServer.Registry;

/// <summary>Reads and writes the <c>metadata</c> fields the registry owns.</summary>
internal static class ObjectMetadata
{
    /// <summary>Fields only the server sets; kept from the stored object on every update.</summary>
    public static readonly IReadOnlyList<string> SystemFields = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"];

    /// <summary>The object's metadata, created when absent (400 when it is not an object).</summary>
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        if (obj["metadata"] is not null)
        {
            throw ApiErrors.BadRequest("metadata must be an object");
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    /// <summary>Fills in the URL's name when the body has none; 400 when they differ.</summary>
    public static void CheckName(JsonObject body, string urlName)
    {
        var meta = Of(body);
        var bodyName = meta["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;
        if (bodyName.Length == 0)
        {
            meta["name"] = urlName;
        }
        else if (bodyName != urlName)
        {
            throw ApiErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + urlName + ")");
        }
    }

    /// <summary>The object's finalizers (empty when absent).</summary>
    public static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray a
            ? [.. a.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty)]
            : [];

    /// <summary>The resourceVersion the client sent (a precondition), or null.</summary>
    public static string? ResourceVersionOf(JsonObject obj) =>
        obj["metadata"]?["resourceVersion"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    /// <summary>Whether the object is being deleted (has a <c>deletionTimestamp</c>).</summary>
    public static bool IsDeleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>A timestamp as Kubernetes writes it (RFC 3339, seconds, UTC).</summary>
    public static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
