using System.Text.Json.Nodes;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Tables;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The collection URL of a resource: list (as a list, a Table or PartialObjectMetadata), create, and
/// delete-collection. Watches on the same URL go to <see cref="WatchEndpoint"/>.
/// </summary>
internal sealed class ListEndpoint(ResourceRegistry registry, RequestBodyReader body, TimeProvider time)
{
    private readonly ResourceRegistry _registry = registry;
    private readonly RequestBodyReader _body = body;
    private readonly TimeProvider _time = time;

    /// <summary>GET: the matching objects at one resourceVersion.</summary>
    public async Task ListAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var list = options.ForList();
        var filter = options.Selector(t.Type, null);
        var (items, listRv) = _registry.List(t.Type, t.Namespace, list.ResourceVersion, list.ResourceVersionMatch);
        var presented = items.Select(i => t.Type.Present(i.Object));
        var selected = filter is null ? presented : presented.Where(filter);
        var listRvText = ResourceVersions.Format(listRv);
        var accept = ctx.Request.Headers.Accept.ToString();
        if (MediaTypes.WantsAs(accept, "Table"))
        {
            var table = TableBuilder.Build(t.Type, selected, listRvText, _time.GetUtcNow(), options.IncludeObject, withHeaders: true);
            await ResponseWriter.WriteJsonAsync(ctx, 200, table, MediaTypes.TableV1);
            return;
        }

        if (MediaTypes.WantsAs(accept, "PartialObjectMetadataList"))
        {
            var partial = selected.Select(o => (JsonNode)new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = o["metadata"]?.DeepClone(),
            });
            ctx.Response.Headers.ContentType = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io";
            await ResponseWriter.WriteListAsync(ctx, "meta.k8s.io/v1", "PartialObjectMetadataList", listRvText, partial);
            return;
        }

        if (t.Type.FromStorage is null && items.TrueForAll(i => i.Utf8 is not null))
        {
            // The stored bytes are the response bytes: no re-serialization for the common case.
            var raw = filter is null ? items : items.Where(i => filter(i.Object));
            await ResponseWriter.WriteRawListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, listRvText, raw.Select(i => i.Utf8!));
            return;
        }

        await ResponseWriter.WriteListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, listRvText, selected);
    }

    /// <summary>POST: creates one object (201 Created).</summary>
    public async Task CreateAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var body = await _body.ReadObjectAsync(ctx);
        var result = await _registry.CreateAsync(t.Type, t.Namespace ?? string.Empty, body, options.ForWrite(ctx.Request.Headers.UserAgent.ToString()));
        ResponseWriter.AddWarnings(ctx, result.Warnings);
        await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
    }

    /// <summary>DELETE: deletes every matching object and returns them as a list.</summary>
    public async Task DeleteCollectionAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var dryRun = options.DryRun();
        var deleted = await _registry.DeleteCollectionAsync(t.Type, t.Namespace, options.Selector(t.Type, null), dryRun);
        await ResponseWriter.WriteListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, ResourceVersions.Format(_registry.CurrentResourceVersion), deleted);
    }
}
