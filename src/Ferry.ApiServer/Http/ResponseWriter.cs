using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>Writes JSON bodies straight to the response pipe (no intermediate strings for big lists).</summary>
internal static class ResponseWriter
{
    /// <summary>Relaxed escaping, as Go's encoder writes <c>\"</c> and <c>&lt;pending&gt;</c> rather than <c>\u0022</c>.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteJsonAsync(HttpContext ctx, int code, JsonNode body, string contentType = MediaTypes.Json)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = contentType;
        await using (var writer = new Utf8JsonWriter(ctx.Response.BodyWriter, WriterOptions))
        {
            body.WriteTo(writer);
        }

        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>Writes a list object whose items are already serialized JSON objects.</summary>
    public static async Task WriteRawListAsync(HttpContext ctx, string apiVersion, string kind, string resourceVersion, IEnumerable<byte[]> items)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = MediaTypes.Json;
        await using (var writer = new Utf8JsonWriter(ctx.Response.BodyWriter, WriterOptions))
        {
            WriteListStart(writer, apiVersion, kind, resourceVersion);
            foreach (var item in items)
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>Writes a list object whose items are stored (shared) nodes, without attaching them to a new parent.</summary>
    public static async Task WriteListAsync(HttpContext ctx, string apiVersion, string kind, string resourceVersion, IEnumerable<JsonNode> items)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = MediaTypes.Json;
        await using (var writer = new Utf8JsonWriter(ctx.Response.BodyWriter, WriterOptions))
        {
            WriteListStart(writer, apiVersion, kind, resourceVersion);
            var n = 0;
            foreach (var item in items)
            {
                item.WriteTo(writer);
                if (++n % 256 == 0)
                {
                    await writer.FlushAsync(ctx.RequestAborted);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    /// <summary>Opens a list object: kind, apiVersion, the list resourceVersion, then the items array.</summary>
    private static void WriteListStart(Utf8JsonWriter writer, string apiVersion, string kind, string resourceVersion)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", kind);
        writer.WriteString("apiVersion", apiVersion);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", resourceVersion);
        writer.WriteEndObject();
        writer.WriteStartArray("items");
    }
}
