using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Patching;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Reads request bodies: the size limit (413), UTF-8, and JSON, YAML or protobuf into a JSON object; every
/// decoding failure is a 400 here rather than an exception deep inside the registry.
/// </summary>
internal sealed class RequestBodyReader(long maxBodyBytes)
{
    private readonly long _maxBodyBytes = maxBodyBytes;

    /// <summary>The object of a create or update (JSON, YAML or protobuf; 415 for anything else).</summary>
    public async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
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

        var text = await ReadTextAsync(ctx);
        return Parse(text, mediaType == "application/yaml") as JsonObject
            ?? throw ApiErrors.BadRequest("the request body must be a JSON object");
    }

    /// <summary>A patch document of one of the four patch types (415 for another content type).</summary>
    public async Task<(string MediaType, JsonNode Patch)> ReadPatchAsync(HttpContext ctx)
    {
        var mediaType = MediaTypes.Essence(ctx.Request.ContentType);
        if (!PatchTypes.IsPatchType(mediaType))
        {
            throw ApiErrors.UnsupportedMediaType(mediaType);
        }

        var text = await ReadTextAsync(ctx);
        var patch = Parse(text, mediaType == PatchTypes.Apply) ?? throw ApiErrors.BadRequest("the patch body is empty");
        return (mediaType, patch);
    }

    /// <summary>The optional DeleteOptions body of a delete (null when there is no body).</summary>
    public async Task<JsonObject?> ReadDeleteOptionsAsync(HttpContext ctx)
    {
        var text = await ReadTextAsync(ctx);
        return text.Length > 0 ? Parse(text, false) as JsonObject : null;
    }

    /// <summary>Whether DeleteOptions ask for a dry run (<c>dryRun: ["All"]</c>).</summary>
    public static bool IsDryRun(JsonObject? deleteOptions) =>
        deleteOptions?["dryRun"] is JsonArray dr && dr.Any(d => JsonRead.Str(d) == "All");

    private async Task<string> ReadTextAsync(HttpContext ctx)
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

    private static JsonNode? Parse(string text, bool yaml)
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
}
