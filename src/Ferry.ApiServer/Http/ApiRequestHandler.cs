using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Hooks;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The single routing middleware: authentication, the non-resource endpoints, discovery and the generic
/// REST verbs for every resource in the catalog. Every failure leaves as a Kubernetes Status.
/// </summary>
internal sealed partial class ApiRequestHandler
{
    private static readonly byte[] _openApiV2 = [0x0A, 0x03, 0x32, 0x2E, 0x30];
    private readonly ResourceRegistry _registry;
    private readonly DiscoveryDocuments _discovery;
    private readonly WatchStreamer _watch;
    private readonly byte[] _token;
    private readonly long _maxBodyBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ApiRequestHandler(ResourceRegistry registry, WatchStreamer watch, string token, long maxBodyBytes, TimeProvider time, ILogger logger)
    {
        _registry = registry;
        _discovery = new DiscoveryDocuments(registry.Catalog);
        _watch = watch;
        _token = Encoding.UTF8.GetBytes(token);
        _maxBodyBytes = maxBodyBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>Handles one request.</summary>
    public async Task HandleAsync(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-cache, private";
        var path = ctx.Request.Path.Value ?? "/";
        var started = _time.GetTimestamp();
        try
        {
            if (!IsPublic(path) && !Authenticated(ctx))
            {
                throw ApiErrors.Unauthorized();
            }

            await RouteAsync(ctx, path);
        }
        catch (ApiException ex)
        {
            await WriteErrorAsync(ctx, ex);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(ctx, ApiErrors.BadRequest(ex.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnhandled(_logger, ctx.Request.Method, path, ex);
            await WriteErrorAsync(ctx, ApiErrors.Internal(ex.Message));
        }
        finally
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var target = path + ctx.Request.QueryString;
                var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(_logger, ctx.Request.Method, target, ctx.Response.StatusCode, elapsed);
            }
        }
    }

    private static bool IsPublic(string path) =>
        path is "/version" or "/healthz" or "/readyz" or "/livez"
        || path.StartsWith("/healthz/", StringComparison.Ordinal)
        || path.StartsWith("/readyz/", StringComparison.Ordinal)
        || path.StartsWith("/livez/", StringComparison.Ordinal);

    private static async Task WriteErrorAsync(HttpContext ctx, ApiException ex)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        if (ex.Code != 413)
        {
            // Consume an unread body so the connection stays usable for the client's next request.
            try
            {
                await ctx.Request.Body.CopyToAsync(Stream.Null, ctx.RequestAborted);
            }
            catch (Exception drain) when (drain is IOException or OperationCanceledException or InvalidOperationException or Microsoft.AspNetCore.Http.BadHttpRequestException)
            {
                // Best effort.
            }
        }

        ctx.Response.Clear();
        ctx.Response.Headers.CacheControl = "no-cache, private";
        await ResponseWriter.WriteJsonAsync(ctx, ex.Code, ex.ToStatus());
    }

    private static bool Bool(HttpRequest r, string name) =>
        r.Query.TryGetValue(name, out var v) && v.ToString() is "true" or "True" or "TRUE" or "1" or "t" or "T";

    private static string? Query(HttpRequest r, string name) =>
        r.Query.TryGetValue(name, out var v) && v.Count > 0 ? v.ToString() : null;

    private static bool DryRun(HttpRequest r)
    {
        if (!r.Query.TryGetValue("dryRun", out var values))
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

    private static WriteOptions Options(HttpRequest r)
    {
        var validation = Query(r, "fieldValidation") ?? "Warn";
        if (validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiErrors.BadRequest("fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\"");
        }

        return new WriteOptions(DryRun(r), validation, Query(r, "fieldManager"));
    }

    private static void AddWarnings(HttpContext ctx, IReadOnlyList<string> warnings)
    {
        foreach (var w in warnings)
        {
            ctx.Response.Headers.Append("Warning", "299 - \"" + QuoteHeaderText(w) + "\"");
        }
    }

    /// <summary>
    /// Escapes a warning for a header value: quotes and backslashes, and control or non-ASCII characters as
    /// <c>\uXXXX</c> (warnings echo client input, and Kestrel rejects such bytes in headers with an exception).
    /// </summary>
    internal static string QuoteHeaderText(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '"')
            {
                sb.Append('\\').Append(c);
            }
            else if (c < ' ' || c > '~')
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private bool Authenticated(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private async Task RouteAsync(HttpContext ctx, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = ctx.Request.Method;
        if (segments.Length == 0)
        {
            await ResponseWriter.WriteJsonAsync(ctx, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/readyz", "/version") });
            return;
        }

        switch (segments[0])
        {
            case "version" when segments.Length == 1:
                RequireGet(method);
                await ResponseWriter.WriteJsonAsync(ctx, 200, VersionInfo.Document());
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
                await RouteGroupAsync(ctx, string.Empty, segments.Skip(1).ToArray());
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
                await RouteGroupAsync(ctx, segments[1], segments.Skip(2).ToArray());
                return;
            default:
                throw ApiErrors.PathNotFound();
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

    private async Task RouteGroupAsync(HttpContext ctx, string group, string[] rest)
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

        var target = Parse(group, version, rest[1..]) ?? throw ApiErrors.PathNotFound();
        await DispatchAsync(ctx, target);
    }

    private RequestTarget? Parse(string group, string version, string[] s)
    {
        var catalog = _registry.Catalog;
        var legacyWatch = false;
        if (s.Length > 0 && s[0] == "watch")
        {
            legacyWatch = true;
            s = s[1..];
        }

        ResourceType? Find(string plural) => catalog.Find(group, version, plural);

        if (s.Length >= 3 && s[0] == "namespaces" && Find(s[2]) is { Namespaced: true } nsType)
        {
            return s.Length switch
            {
                3 => new RequestTarget(nsType, s[1], null, null, legacyWatch),
                4 => new RequestTarget(nsType, s[1], s[3], null, legacyWatch),
                5 => new RequestTarget(nsType, s[1], s[3], s[4], legacyWatch),
                _ => null,
            };
        }

        if (s.Length is >= 1 and <= 3 && Find(s[0]) is { } type)
        {
            if (s.Length > 1 && type.Namespaced)
            {
                return null;
            }

            return new RequestTarget(type, null, s.Length > 1 ? s[1] : null, s.Length > 2 ? s[2] : null, legacyWatch);
        }

        return null;
    }

    private async Task DispatchAsync(HttpContext ctx, RequestTarget t)
    {
        var method = ctx.Request.Method;
        var r = ctx.Request;
        if (t.Subresource is not null && (t.Subresource != "status" || !t.Type.HasStatus))
        {
            throw ApiErrors.PathNotFound();
        }

        if (t.Name is null)
        {
            var isWatch = t.LegacyWatch || Bool(r, "watch");
            switch (method)
            {
                case "GET" when isWatch:
                    await _watch.ServeAsync(ctx, t.Type, t.Namespace, Filter(t, r, null), r);
                    return;
                case "GET":
                    await ListAsync(ctx, t);
                    return;
                case "POST" when t.Namespace is not null || !t.Type.Namespaced:
                    {
                        var body = await ReadObjectAsync(ctx);
                        var result = await _registry.CreateAsync(t.Type, t.Namespace ?? string.Empty, body, Options(r));
                        AddWarnings(ctx, result.Warnings);
                        await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
                        return;
                    }

                case "DELETE" when t.Namespace is not null || !t.Type.Namespaced:
                    {
                        var dryRun = DryRun(r);
                        var deleted = await _registry.DeleteCollectionAsync(t.Type, t.Namespace, Filter(t, r, null), dryRun);
                        await ResponseWriter.WriteListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, _registry.Store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture), deleted);
                        return;
                    }

                default:
                    throw ApiErrors.MethodNotAllowed();
            }
        }

        if (t.LegacyWatch)
        {
            RequireGet(method);
            await _watch.ServeAsync(ctx, t.Type, t.Namespace, Filter(t, r, t.Name), r);
            return;
        }

        var ns = t.Namespace ?? string.Empty;
        var status = t.Subresource == "status";
        switch (method)
        {
            case "GET":
                {
                    var obj = _registry.Get(t.Type, ns, t.Name);
                    await WriteObjectAsync(ctx, t.Type, obj);
                    return;
                }

            case "PUT":
                {
                    var body = await ReadObjectAsync(ctx);
                    var result = await _registry.UpdateAsync(t.Type, ns, t.Name, body, status, Options(r));
                    AddWarnings(ctx, result.Warnings);
                    await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
                    return;
                }

            case "PATCH":
                {
                    var mediaType = MediaTypes.Essence(r.ContentType);
                    if (!PatchHook.IsPatchType(mediaType))
                    {
                        throw ApiErrors.UnsupportedMediaType(mediaType);
                    }

                    var text = await ReadBodyAsync(ctx);
                    var patch = ParseBody(text, mediaType == PatchHook.ApplyPatchType) ?? throw ApiErrors.BadRequest("the patch body is empty");
                    var result = await _registry.PatchAsync(t.Type, ns, t.Name, status, mediaType, patch, Options(r), Bool(r, "force"));
                    AddWarnings(ctx, result.Warnings);
                    await ResponseWriter.WriteJsonAsync(ctx, result.Code, result.Object);
                    return;
                }

            case "DELETE" when !status:
                {
                    var text = await ReadBodyAsync(ctx);
                    var options = text.Length > 0 ? ParseBody(text, false) as JsonObject : null;
                    var dryRun = DryRun(r) || (options?["dryRun"] is JsonArray dr && dr.Any(d => JsonRead.Str(d) == "All"));
                    var result = await _registry.DeleteAsync(t.Type, ns, t.Name, options, dryRun);
                    await ResponseWriter.WriteJsonAsync(ctx, 200, result.Object);
                    return;
                }

            default:
                throw ApiErrors.MethodNotAllowed();
        }
    }

    private async Task ListAsync(HttpContext ctx, RequestTarget t)
    {
        var r = ctx.Request;
        var rv = Query(r, "resourceVersion") ?? string.Empty;
        var match = Query(r, "resourceVersionMatch") ?? string.Empty;
        var continueToken = Query(r, "continue") ?? string.Empty;
        ValidateListOptions(rv, match, continueToken);
        var filter = Filter(t, r, null);
        var (items, listRv) = _registry.Store.List(t.Type.Key, t.Namespace);
        if (rv.Length > 0 && rv != "0")
        {
            var requested = ParseResourceVersion(rv);
            if (requested > listRv)
            {
                throw ApiErrors.TooLargeResourceVersion(requested, listRv);
            }

            if (match == "Exact" && requested != listRv)
            {
                throw ApiErrors.Expired("too old resource version: " + rv + " (" + listRv.ToString(CultureInfo.InvariantCulture) + ")");
            }
        }

        var presented = items.Select(i => t.Type.Present(i.Object));
        var selected = filter is null ? presented : presented.Where(filter);
        var listRvText = listRv.ToString(CultureInfo.InvariantCulture);
        var accept = r.Headers.Accept.ToString();
        if (MediaTypes.WantsAs(accept, "Table"))
        {
            var table = TableBuilder.Build(t.Type, selected, listRvText, _time.GetUtcNow(), Query(r, "includeObject") ?? "Metadata", withHeaders: true);
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
            var raw = filter is null ? items : items.Where(i => filter(i.Object));
            await ResponseWriter.WriteRawListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, listRvText, raw.Select(i => i.Utf8!));
            return;
        }

        await ResponseWriter.WriteListAsync(ctx, t.Type.ApiVersion, t.Type.ListKind, listRvText, selected);
    }

    private static void ValidateListOptions(string rv, string match, string continueToken)
    {
        if (match.Length > 0)
        {
            if (match is not ("Exact" or "NotOlderThan"))
            {
                throw new ApiException(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Unsupported value: \"" + match + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
            }

            if (rv.Length == 0)
            {
                throw new ApiException(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
            }

            if (continueToken.Length > 0)
            {
                throw new ApiException(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided");
            }

            if (match == "Exact" && rv == "0")
            {
                throw new ApiException(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
            }
        }

        if (continueToken.Length > 0)
        {
            if (rv.Length > 0 && rv != "0")
            {
                throw ApiErrors.BadRequest("specifying resource version is not allowed when using continue");
            }

            // This server never hands out continue tokens (it ignores limit and returns everything).
            throw ApiErrors.BadRequest("invalid continue token: this server does not paginate; list without continue");
        }
    }

    /// <summary>Parses a resourceVersion query value (400 on garbage).</summary>
    internal static long ParseResourceVersion(string rv) =>
        long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw ApiErrors.BadRequest("invalid resource version \"" + rv + "\"");

    private static Func<JsonObject, bool>? Filter(RequestTarget t, HttpRequest r, string? name)
    {
        var fieldSelector = Query(r, "fieldSelector");
        if (name is not null)
        {
            fieldSelector = string.IsNullOrEmpty(fieldSelector) ? "metadata.name=" + name : fieldSelector + ",metadata.name=" + name;
        }

        return SelectorHook.Compile(t.Type, Query(r, "labelSelector"), fieldSelector);
    }

    private static void RequireGet(string method)
    {
        if (method is not ("GET" or "HEAD"))
        {
            throw ApiErrors.MethodNotAllowed();
        }
    }

    private async Task WriteObjectAsync(HttpContext ctx, ResourceType type, JsonObject obj)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        if (MediaTypes.WantsAs(accept, "Table"))
        {
            var table = TableBuilder.Build(type, [obj], null, _time.GetUtcNow(), Query(ctx.Request, "includeObject") ?? "Metadata", withHeaders: true);
            await ResponseWriter.WriteJsonAsync(ctx, 200, table, MediaTypes.TableV1);
            return;
        }

        await ResponseWriter.WriteJsonAsync(ctx, 200, obj);
    }

    private async Task<string> ReadBodyAsync(HttpContext ctx)
    {
        var bytes = await ReadBytesAsync(ctx);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw ApiErrors.BadRequest("the request body is not valid UTF-8");
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpContext ctx)
    {
        var length = ctx.Request.ContentLength;
        if (length > _maxBodyBytes)
        {
            throw ApiErrors.TooLarge(_maxBodyBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
        {
            if (buffer.Length + read > _maxBodyBytes)
            {
                throw ApiErrors.TooLarge(_maxBodyBytes);
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), ctx.RequestAborted);
        }

        return buffer.ToArray();
    }

    private async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        var mediaType = MediaTypes.Essence(ctx.Request.ContentType);
        if (mediaType == ProtobufBody.MediaType)
        {
            var bytes = await ReadBytesAsync(ctx);
            return ProtobufBody.Decode(bytes.Span);
        }

        if (mediaType is not ("" or MediaTypes.Json or "application/yaml" or "*/*"))
        {
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
        }

        var text = await ReadBodyAsync(ctx);
        return ParseBody(text, mediaType == "application/yaml") as JsonObject
            ?? throw ApiErrors.BadRequest("the request body must be a JSON object");
    }

    private static JsonNode? ParseBody(string text, bool yaml)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiErrors.BadRequest("the request body is empty");
        }

        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 128 });
            EnsureDecodable(node);
            return node;
        }
        catch (JsonException ex) when (yaml)
        {
            try
            {
                return YamlToJson.Parse(text);
            }
            catch (FormatException)
            {
                throw ApiErrors.BadRequest("error decoding YAML: " + ex.Message);
            }
        }
        catch (JsonException ex)
        {
            throw ApiErrors.BadRequest("json: " + ex.Message);
        }
    }

    /// <summary>
    /// JsonNode decodes strings lazily; read every key and string now so invalid escapes (a lone surrogate)
    /// become 400 here instead of an exception deep inside a handler.
    /// </summary>
    private static void EnsureDecodable(JsonNode? node)
    {
        try
        {
            Walk(node);
        }
        catch (InvalidOperationException ex)
        {
            throw ApiErrors.BadRequest("json: invalid string in request body: " + ex.Message);
        }

        static void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (_, v) in o)
                    {
                        Walk(v);
                    }

                    break;
                case JsonArray a:
                    foreach (var v in a)
                    {
                        Walk(v);
                    }

                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    _ = v.GetValue<string>();
                    break;
                default:
                    break;
            }
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Method} {Target} -> {Status} in {Milliseconds:F1} ms")]
    private static partial void LogRequest(ILogger logger, string method, string target, int status, double milliseconds);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception ex);
}
