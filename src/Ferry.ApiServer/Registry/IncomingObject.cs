using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Validation;

namespace Ferry.ApiServer.Registry;

/// <summary>The checks every incoming object passes before any kind-specific work: identity, namespace, schema.</summary>
internal static class IncomingObject
{
    /// <summary>Checks apiVersion, kind, namespace and fields of an incoming object; returns warnings.</summary>
    public static List<string> Prepare(ResourceType type, string ns, JsonObject body, WriteOptions options, bool isPatch)
    {
        if (body["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var apiVersion) && apiVersion.Length > 0 && apiVersion != type.ApiVersion)
        {
            throw ApiErrors.BadRequest("the API version in the data (" + apiVersion + ") does not match the expected API version (" + type.ApiVersion + ")");
        }

        if (body["kind"] is JsonValue kv && kv.TryGetValue<string>(out var kind) && kind.Length > 0 && kind != type.Kind)
        {
            throw ApiErrors.BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" + type.Kind + ")");
        }

        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
        var meta = ObjectMetadata.Of(body);
        if (type.Namespaced)
        {
            var bodyNs = meta["namespace"] is JsonValue nv && nv.TryGetValue<string>(out var s) ? s : string.Empty;
            if (bodyNs.Length > 0 && bodyNs != ns)
            {
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        var warnings = new List<string>();
        // A custom resource is pruned to its schema as it is read (apiextensions' decoder); a built-in kind
        // keeps every field in storage and is checked against its model type.
        var unknown = type.Custom is { } custom
            ? [.. ModelSchema.UnknownFields(meta, typeof(k8s.Models.V1ObjectMeta)).Select(p => "metadata." + p), .. CustomResources.Schema.SchemaPruning.Prune(body, custom.Schema)]
            : ModelSchema.UnknownFields(body, type.ModelType);
        if (unknown.Count > 0)
        {
            var texts = unknown.Select(u => "unknown field \"" + u + "\"").ToList();
            if (string.Equals(options.FieldValidation, "Strict", StringComparison.OrdinalIgnoreCase))
            {
                var message = "strict decoding error: " + string.Join(", ", texts);
                throw isPatch
                    ? new ApiException(422, "Invalid", type.Kind + " \"" + JsonRead.Str(meta["name"]) + "\" is invalid: patch: " + message)
                    : ApiErrors.BadRequest(message);
            }

            if (!string.Equals(options.FieldValidation, "Ignore", StringComparison.OrdinalIgnoreCase))
            {
                warnings.AddRange(texts);
            }
        }

        if (type.Custom is null && ModelSchema.DecodeError(body, type.ModelType) is { } decodeError)
        {
            var message = type.Kind + " in version \"" + type.Version + "\" cannot be handled as a " + type.Kind + ": " + decodeError;
            throw isPatch ? new ApiException(422, "Invalid", message) : ApiErrors.BadRequest(message);
        }

        return warnings;
    }
}
