using System.Text.Json.Nodes;
using Ferry.ApiServer.Authorization;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Maps an authenticated request to its handler: the non-resource endpoints (version, health, OpenAPI),
/// discovery, and for resource URLs the verb on the <see cref="ListEndpoint"/>, <see cref="ItemEndpoint"/>
/// or <see cref="WatchEndpoint"/>, self reviews on the <see cref="AccessReviewEndpoint"/>. Every authenticated
/// request is authorized here first (<see cref="RequestAuthorizer"/>): a refusal is upstream's 403 Forbidden.
/// </summary>
internal sealed class ApiRouter
{
    private static readonly byte[] _openApiV2 = [0x0A, 0x03, 0x32, 0x2E, 0x30];
    private readonly DiscoveryDocuments _discovery;
    private readonly RequestTargetParser _targets;
    private readonly ListEndpoint _list;
    private readonly ItemEndpoint _item;
    private readonly WatchEndpoint _watch;
    private readonly AccessReviewEndpoint _reviews;
    private readonly RequestAuthorizer _authorizer;
    private readonly KubernetesVersion _version;

    public ApiRouter(ResourceCatalog catalog, ListEndpoint list, ItemEndpoint item, WatchEndpoint watch, AccessReviewEndpoint reviews, RequestAuthorizer authorizer, KubernetesVersion version)
    {
        _reviews = reviews;
        _authorizer = authorizer;
        _version = version;
        _discovery = new DiscoveryDocuments(catalog);
        _targets = new RequestTargetParser(catalog);
        _list = list;
        _item = item;
        _watch = watch;
    }

    /// <summary>
    /// Serves the request at <paramref name="path"/> for <paramref name="user"/> (null: a public path, served
    /// anonymously); unknown paths are 404, wrong verbs 405, refused requests 403.
    /// </summary>
    public async Task RouteAsync(HttpContext ctx, string path, UserIdentity? user)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = ctx.Request.Method;
        if (user is not null && !IsResourcePath(segments))
        {
            Authorize(ctx, user, RequestAttributes.ForPath(method is "HEAD" ? "get" : method.ToLowerInvariant(), path));
        }

        if (segments.Length == 0)
        {
            await ResponseWriter.WriteJsonAsync(ctx, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/readyz", "/version") });
            return;
        }

        switch (segments[0])
        {
            case "version" when segments.Length == 1:
                RequireGet(method);
                await ResponseWriter.WriteJsonAsync(ctx, 200, VersionInfo.Document(_version));
                return;
            case "healthz" or "readyz" or "livez":
                RequireGet(method);
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted);
                return;
            case "openapi" when segments.Length == 2 && segments[1] == "v2":
                RequireGet(method);
                ctx.Response.ContentType = MediaTypes.OpenApiV2Protobuf;
                await ctx.Response.Body.WriteAsync(_openApiV2, ctx.RequestAborted);
                return;
            case "api":
                await RouteGroupAsync(ctx, string.Empty, segments[1..], user);
                return;
            case "apis" when segments.Length == 1:
                RequireGet(method);
                await DiscoveryAsync(ctx, core: false);
                return;
            case "apis" when segments.Length == 2:
                RequireGet(method);
                await ResponseWriter.WriteJsonAsync(ctx, 200, _discovery.GroupDocument(segments[1]) ?? throw ApiErrors.PathNotFound());
                return;
            case "apis":
                await RouteGroupAsync(ctx, segments[1], segments[2..], user);
                return;
            default:
                throw ApiErrors.PathNotFound();
        }
    }

    private static void RequireGet(string method)
    {
        if (method is not ("GET" or "HEAD"))
        {
            throw ApiErrors.MethodNotAllowed();
        }
    }

    private async Task DiscoveryAsync(HttpContext ctx, bool core)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        var version = MediaTypes.AggregatedDiscoveryVersion(accept);
        ctx.Response.Headers.Vary = "Accept";
        if (version is not null)
        {
            await ResponseWriter.WriteJsonAsync(ctx, 200, _discovery.Aggregated(core, version), version == "v2" ? MediaTypes.DiscoveryV2 : MediaTypes.DiscoveryV2Beta1);
            return;
        }

        var host = ctx.Request.Host.HasValue ? ctx.Request.Host.Value! : "127.0.0.1";
        await ResponseWriter.WriteJsonAsync(ctx, 200, core ? DiscoveryDocuments.CoreVersions(host) : _discovery.GroupList());
    }

    /// <summary>Whether the path names resources (<c>/api/v1/…</c>, <c>/apis/g/v/…</c>) rather than discovery or another non-resource path.</summary>
    private static bool IsResourcePath(string[] segments) => segments is ["api", _, _, ..] or ["apis", _, _, _, ..];

    /// <summary>Authorizes the request; its attributes stay on <paramref name="ctx"/>'s features for the <see cref="AuditLog"/>.</summary>
    private void Authorize(HttpContext ctx, UserIdentity user, RequestAttributes request)
    {
        ctx.Features.Set(request);
        if (!_authorizer.IsAllowed(user, request))
        {
            throw ApiErrors.Refused(request, user.Name);
        }
    }

    private async Task RouteGroupAsync(HttpContext ctx, string group, string[] rest, UserIdentity? user)
    {
        if (group.Length == 0 && rest.Length == 0)
        {
            RequireGet(ctx.Request.Method);
            await DiscoveryAsync(ctx, core: true);
            return;
        }

        var version = rest[0];
        if (rest.Length == 1)
        {
            RequireGet(ctx.Request.Method);
            await ResponseWriter.WriteJsonAsync(ctx, 200, _discovery.ResourceList(group, version) ?? throw ApiErrors.PathNotFound());
            return;
        }

        var target = _targets.Parse(group, version, rest[1..]);
        var options = new RequestOptions(ctx.Request.Query);
        if (user is not null)
        {
            Authorize(ctx, user, target is null ? UnknownResource(ctx.Request.Method, group, rest[1..]) : Attributes(ctx.Request.Method, target, options));
        }

        await DispatchAsync(ctx, target ?? throw ApiErrors.PathNotFound(), options, user ?? UserIdentity.Admin);
    }

    /// <summary>The authorizer's view of a resource request, with upstream's verbs (list, watch, deletecollection…).</summary>
    private static RequestAttributes Attributes(string method, RequestTarget t, RequestOptions options)
    {
        var verb = method switch
        {
            "GET" or "HEAD" when t.LegacyWatch || (t.Name is null && options.Watch) => "watch",
            "GET" or "HEAD" => t.Name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => t.Name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        return RequestAttributes.ForResource(verb, t.Namespace ?? string.Empty, t.Type.Group, t.Type.Plural, t.Subresource ?? string.Empty, t.Name ?? string.Empty);
    }

    /// <summary>A request for a resource this server does not serve: authorized by its URL parts as upstream does (then 404).</summary>
    private static RequestAttributes UnknownResource(string method, string group, string[] s)
    {
        var (ns, resource, name) = s switch
        {
            ["namespaces", var n, var r, ..] => (n, r, s.Length > 3 ? s[3] : string.Empty),
            [var r, ..] => (string.Empty, r, s.Length > 1 ? s[1] : string.Empty),
            _ => (string.Empty, string.Empty, string.Empty),
        };
        var verb = method switch
        {
            "GET" or "HEAD" => name.Length == 0 ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name.Length == 0 ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        return RequestAttributes.ForResource(verb, ns, group, resource, string.Empty, name);
    }

    /// <summary>The verb dispatch: which endpoint serves this method on this target.</summary>
    private async Task DispatchAsync(HttpContext ctx, RequestTarget t, RequestOptions options, UserIdentity user)
    {
        var method = ctx.Request.Method;
        if (t.Type.IsSelfReview)
        {
            await (method == "POST" && t.Name is null && t.Subresource is null && !t.LegacyWatch
                ? _reviews.CreateAsync(ctx, t, user)
                : throw ApiErrors.MethodNotAllowed());
            return;
        }

        if (t.Subresource is not null && (!t.IsStatus || !t.Type.HasStatus))
        {
            throw ApiErrors.PathNotFound();
        }

        var inScope = t.Namespace is not null || !t.Type.Namespaced;
        if (t.Name is null)
        {
            var task = method switch
            {
                "GET" when t.LegacyWatch || options.Watch => _watch.ServeAsync(ctx, t, options.Selector(t.Type, null), options),
                "GET" => _list.ListAsync(ctx, t, options),
                "POST" when inScope => _list.CreateAsync(ctx, t, options),
                "DELETE" when inScope => _list.DeleteCollectionAsync(ctx, t, options),
                _ => throw ApiErrors.MethodNotAllowed(),
            };
            await task;
            return;
        }

        if (t.LegacyWatch)
        {
            RequireGet(method);
            await _watch.ServeAsync(ctx, t, options.Selector(t.Type, t.Name), options);
            return;
        }

        await (method switch
        {
            "GET" => _item.GetAsync(ctx, t, options),
            "PUT" => _item.UpdateAsync(ctx, t, options),
            "PATCH" => _item.PatchAsync(ctx, t, options),
            "DELETE" when !t.IsStatus => _item.DeleteAsync(ctx, t, options),
            _ => throw ApiErrors.MethodNotAllowed(),
        });
    }
}
