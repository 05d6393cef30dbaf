using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Authorization;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// <c>authorization.k8s.io/v1</c> <c>selfsubjectaccessreviews</c> and <c>selfsubjectrulesreviews</c> (create only,
/// nothing stored): the response echoes the request with <c>status</c> filled in for the requesting user, as
/// kube-apiserver answers <c>kubectl auth can-i</c> and <c>kubectl auth can-i --list</c>.
/// </summary>
internal sealed class AccessReviewEndpoint(RequestAuthorizer authorizer, RequestBodyReader body)
{
    private readonly RequestAuthorizer _authorizer = authorizer;
    private readonly RequestBodyReader _body = body;

    /// <summary>POST: answers the review (201 Created).</summary>
    public async Task CreateAsync(HttpContext ctx, RequestTarget t, UserIdentity user)
    {
        var review = await _body.ReadObjectAsync(ctx);
        var spec = review["spec"] as JsonObject ?? [];
        JsonObject status;
        if (t.Type.Kind == "SelfSubjectRulesReview")
        {
            var ns = JsonRead.Str(spec["namespace"]);
            if (ns.Length == 0)
            {
                throw ApiErrors.BadRequest("no namespace on request");
            }

            status = _authorizer.Rules(user, ns);
        }
        else
        {
            status = new JsonObject { ["allowed"] = _authorizer.IsAllowed(user, Attributes(t, spec)) };
        }

        var response = new JsonObject
        {
            ["kind"] = t.Type.Kind,
            ["apiVersion"] = t.Type.ApiVersion,
            ["metadata"] = review["metadata"]?.DeepClone() ?? new JsonObject(),
            ["spec"] = spec.DeepClone(),
            ["status"] = status,
        };
        await ResponseWriter.WriteJsonAsync(ctx, 201, response);
    }

    /// <summary>The attributes a SelfSubjectAccessReview asks about; exactly one kind of attributes, as upstream validates.</summary>
    private static RequestAttributes Attributes(RequestTarget t, JsonObject spec)
    {
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if (resource is not null && nonResource is not null)
        {
            throw ApiErrors.Invalid(t.Type, string.Empty, [FieldErrors.Invalid("spec.nonResourceAttributes", nonResource, "cannot be specified in combination with resourceAttributes")]);
        }

        if (resource is not null)
        {
            return RequestAttributes.ForResource(
                JsonRead.Str(resource["verb"]), JsonRead.Str(resource["namespace"]), JsonRead.Str(resource["group"]),
                JsonRead.Str(resource["resource"]), JsonRead.Str(resource["subresource"]), JsonRead.Str(resource["name"]));
        }

        if (nonResource is not null)
        {
            return RequestAttributes.ForPath(JsonRead.Str(nonResource["verb"]), JsonRead.Str(nonResource["path"]));
        }

        throw ApiErrors.Invalid(t.Type, string.Empty, [FieldErrors.Invalid("spec.resourceAttributes", (JsonNode?)null, "exactly one of nonResourceAttributes or resourceAttributes must be specified")]);
    }
}
