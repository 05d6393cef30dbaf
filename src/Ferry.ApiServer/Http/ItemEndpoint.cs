using System.Text.Json.Nodes;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Tables;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>One object's URL (and its <c>status</c> subresource): get, replace, patch and delete.</summary>
internal sealed class ItemEndpoint(ResourceRegistry registry, RequestBodyReader body, TimeProvider time)
{
    private readonly ResourceRegistry _registry = registry;
    private readonly RequestBodyReader _body = body;
    private readonly TimeProvider _time = time;

    /// <summary>GET: the object, or a one-row Table.</summary>
    public async Task GetAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var obj = _registry.Get(t.Type, t.Namespace ?? string.Empty, t.Name!);
        await WriteObjectAsync(ctx, t.Type, obj, options);
    }

    /// <summary>PUT: replaces the object (or only its status on the subresource).</summary>
    public async Task UpdateAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var body = await _body.ReadObjectAsync(ctx);
        var result = await _registry.UpdateAsync(t.Type, t.Namespace ?? string.Empty, t.Name!, body, t.IsStatus, options.ForWrite(ctx.Request.Headers.UserAgent.ToString()));
        ResponseWriter.AddWarnings(ctx, result.Warnings);
        await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
    }

    /// <summary>PATCH: JSON patch, merge patch, strategic merge patch or server-side apply.</summary>
    public async Task PatchAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var (mediaType, patch) = await _body.ReadPatchAsync(ctx);
        var result = await _registry.PatchAsync(t.Type, t.Namespace ?? string.Empty, t.Name!, t.IsStatus, mediaType, patch, options.ForWrite(ctx.Request.Headers.UserAgent.ToString()), options.Force);
        ResponseWriter.AddWarnings(ctx, result.Warnings);
        await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
    }

    /// <summary>DELETE: deletes the object, or starts its graceful deletion; DeleteOptions may come in the body.</summary>
    public async Task DeleteAsync(HttpContext ctx, RequestTarget t, RequestOptions options)
    {
        var deleteOptions = await _body.ReadDeleteOptionsAsync(ctx);
        var dryRun = options.DryRun() || RequestBodyReader.IsDryRun(deleteOptions);
        var result = await _registry.DeleteAsync(t.Type, t.Namespace ?? string.Empty, t.Name!, deleteOptions, dryRun);
        await ResponseWriter.WriteJsonAsync(ctx, 200, result.Object);
    }

    private async Task WriteObjectAsync(HttpContext ctx, ResourceType type, JsonObject obj, RequestOptions options)
    {
        if (MediaTypes.WantsAs(ctx.Request.Headers.Accept.ToString(), "Table"))
        {
            var table = TableBuilder.Build(type, [obj], null, _time.GetUtcNow(), options.IncludeObject, withHeaders: true);
            await ResponseWriter.WriteJsonAsync(ctx, 200, table, MediaTypes.TableV1);
            return;
        }

        await ResponseWriter.WriteJsonAsync(ctx, 200, obj);
    }
}
