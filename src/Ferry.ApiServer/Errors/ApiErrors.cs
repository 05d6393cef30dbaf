using System.Globalization;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Errors;

/// <summary>Factories for the Status errors kube-apiserver returns, with its message texts.</summary>
internal static class ApiErrors
{
    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", Qualified(type) + " \"" + name + "\" not found", Details(type, name));

    public static ApiException NamespaceNotFound(string name) =>
        new(404, "NotFound", "namespaces \"" + name + "\" not found", new JsonObject { ["name"] = name, ["kind"] = "namespaces" });

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", Qualified(type) + " \"" + name + "\" already exists", Details(type, name));

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", "Operation cannot be fulfilled on " + Qualified(type) + " \"" + name + "\": " + why, Details(type, name));

    public static ApiException StaleObject(ResourceType type, string name) =>
        Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        if (errors.FirstOrDefault(e => e.Type == FieldErrorType.InternalError) is { } internalError)
        {
            return Internal(internalError.Message);
        }

        var status = InvalidStatus.Build(type.Group, type.Kind, name, errors);
        return new ApiException(422, "Invalid", JsonRead.Str(status["message"]), status["details"]?.DeepClone().AsObject());
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Forbidden(ResourceType type, string name, string why) =>
        new(403, "Forbidden", Qualified(type) + " \"" + name + "\" is forbidden: " + why, Details(type, name));

    /// <summary>
    /// Upstream's authorization refusal: <c>leases.coordination.k8s.io "x" is forbidden: User "bob" cannot get resource
    /// "leases" in API group "coordination.k8s.io" in the namespace "kube-system"</c> (no name part for collections,
    /// <c>forbidden: …</c> for paths), details {name, group, kind}.
    /// </summary>
    public static ApiException Refused(Authorization.RequestAttributes request, string user)
    {
        var why = request.ForbiddenMessage(user);
        if (!request.IsResourceRequest)
        {
            return new ApiException(403, "Forbidden", "forbidden: " + why, []);
        }

        var qualified = request.ApiGroup.Length == 0 ? request.Resource : request.Resource + "." + request.ApiGroup;
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (request.ApiGroup.Length > 0)
        {
            details["group"] = request.ApiGroup;
        }

        details["kind"] = request.Resource;
        var subject = request.Name.Length > 0 ? qualified + " \"" + request.Name + "\"" : qualified;
        return new ApiException(403, "Forbidden", subject + " is forbidden: " + why, details);
    }

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException TooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit.ToString(CultureInfo.InvariantCulture));

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
            + (contentType.Length > 0 ? " (got " + contentType + ")" : string.Empty));

    public static ApiException PathNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource");

    public static ApiException Internal(string message) =>
        new(500, "InternalError", "Internal error occurred: " + message);

    /// <summary>The Status a storage-level failure reaches the client as.</summary>
    public static ApiException FromStorage(StorageException ex) => ex.Failure switch
    {
        StorageFailure.Expired => new ApiException(410, "Expired", ex.Message, inner: ex),
        StorageFailure.ShuttingDown => new ApiException(503, "ServiceUnavailable", ex.Message, inner: ex),
        _ => new ApiException(500, "InternalError", "Internal error occurred: " + ex.Message, inner: ex),
    };

    public static ApiException TooLargeResourceVersion(long requested, long current) =>
        new(504, "Timeout", "Too large resource version: " + requested.ToString(CultureInfo.InvariantCulture)
            + ", current: " + current.ToString(CultureInfo.InvariantCulture),
            new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }),
                ["retryAfterSeconds"] = 1,
            });

    private static string Qualified(ResourceType type) => type.Group.Length == 0 ? type.Plural : type.Plural + "." + type.Group;

    private static JsonObject Details(ResourceType type, string name)
    {
        var d = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            d["group"] = type.Group;
        }

        d["kind"] = type.Plural;
        return d;
    }
}
