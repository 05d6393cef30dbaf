using System.Globalization;
using System.Text.Json;
using Ferry.ApiServer.Authorization;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// kube-apiserver's <c>--audit-log-path</c> at level <c>Metadata</c>: one <c>audit.k8s.io/v1</c> Event per request, a JSON
/// line appended when the response is complete (stage <c>ResponseComplete</c>; a watch is recorded when it ends), with the
/// verb, the user, the client's address and User-Agent, the object asked for and the status code. Upstream's request
/// metric (<c>apiserver_request_total</c>) has no client label: the audit log is where it tells clients apart, so is ours.
/// </summary>
internal sealed class AuditLog : IDisposable
{
    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public AuditLog(string path, TimeProvider time)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _time = time;
    }

    /// <summary>Appends the Event of a request received at <paramref name="received"/> (flushed, so a reader sees it at once).</summary>
    /// <param name="attributes">What the router authorized; null for a public path or a request refused before routing.</param>
    public void Write(HttpContext ctx, RequestAttributes? attributes, UserIdentity? user, DateTimeOffset received)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Event");
            json.WriteString("apiVersion", "audit.k8s.io/v1");
            json.WriteString("level", "Metadata");
            json.WriteString("auditID", ctx.TraceIdentifier);
            json.WriteString("stage", "ResponseComplete");
            json.WriteString("requestURI", ctx.Request.Path.Value + ctx.Request.QueryString.Value);
            json.WriteString("verb", attributes?.Verb ?? ctx.Request.Method.ToLowerInvariant());
            json.WriteStartObject("user");
            json.WriteString("username", user?.Name ?? "system:anonymous");
            json.WriteEndObject();
            json.WriteStartArray("sourceIPs");
            if (ctx.Connection.RemoteIpAddress is { } address)
            {
                json.WriteStringValue((address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
            }

            json.WriteEndArray();
            json.WriteString("userAgent", ctx.Request.Headers.UserAgent.ToString());
            if (attributes is { IsResourceRequest: true })
            {
                json.WriteStartObject("objectRef");
                json.WriteString("resource", attributes.Resource);
                WriteIfAny(json, "namespace", attributes.Namespace);
                WriteIfAny(json, "name", attributes.Name);
                WriteIfAny(json, "apiGroup", attributes.ApiGroup);
                WriteIfAny(json, "subresource", attributes.Subresource);
                json.WriteEndObject();
            }

            json.WriteStartObject("responseStatus");
            json.WriteNumber("code", ctx.Response.StatusCode);
            json.WriteEndObject();
            json.WriteString("requestReceivedTimestamp", received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("stageTimestamp", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (_lock)
        {
            _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();

    private static void WriteIfAny(Utf8JsonWriter json, string name, string value)
    {
        if (value.Length > 0)
        {
            json.WriteString(name, value);
        }
    }
}
