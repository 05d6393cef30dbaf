using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Writes responses: JSON bodies straight to the response pipe (no intermediate strings for big lists),
/// <c>Warning</c> headers, and failures as a Kubernetes Status.
/// </summary>
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

    /// <summary>Writes a failure as a Status, unless the response has already started (then the stream just ends).</summary>
    public static async Task WriteErrorAsync(HttpContext ctx, ApiException ex)
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
            catch (Exception drain) when (drain is IOException or OperationCanceledException or InvalidOperationException or BadHttpRequestException)
            {
                // Best effort.
            }
        }

        ctx.Response.Clear();
        ctx.Response.Headers.CacheControl = "no-cache, private";
        await WriteJsonAsync(ctx, ex.Code, ex.ToStatus());
    }

    /// <summary>Adds one <c>Warning: 299</c> header per text.</summary>
    public static void AddWarnings(HttpContext ctx, IReadOnlyList<string> warnings)
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
