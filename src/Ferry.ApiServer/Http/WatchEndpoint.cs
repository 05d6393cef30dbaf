using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;
using Ferry.ApiServer.Tables;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Serves a watch: newline-delimited <c>{"type","object"}</c> over a chunked 200 response, starting with
/// synthetic ADDED events (resourceVersion unset or 0) or the retained history after the given version,
/// with optional bookmarks, closed at <c>timeoutSeconds</c> (else after 30–60 minutes) or at shutdown.
/// </summary>
internal sealed class WatchEndpoint
{
    private static readonly byte[] _newline = "\n"u8.ToArray();
    private readonly ResourceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly TimeSpan _bookmarkInterval;
    private readonly CancellationToken _shutdown;

    /// <param name="registry">Where watches are registered.</param>
    /// <param name="time">Clock for the timeout and bookmark timers and Table ages.</param>
    /// <param name="random">Jitter of the default timeout; used under a lock, so any instance will do.</param>
    /// <param name="bookmarkInterval">How often a watch that allows bookmarks gets one.</param>
    /// <param name="shutdown">Ends every watch when the server stops.</param>
    public WatchEndpoint(ResourceRegistry registry, TimeProvider time, Random random, TimeSpan bookmarkInterval, CancellationToken shutdown)
    {
        _registry = registry;
        _time = time;
        _random = random;
        _bookmarkInterval = bookmarkInterval;
        _shutdown = shutdown;
    }

    /// <summary>Streams the events of <paramref name="t"/> that pass <paramref name="filter"/> until the timeout, the client leaves or shutdown.</summary>
    public async Task ServeAsync(HttpContext ctx, RequestTarget t, Func<JsonObject, bool>? filter, RequestOptions options)
    {
        var type = t.Type;
        var watch = options.ForWatch();
        var timeout = watch.Timeout ?? DefaultTimeout();
        var table = MediaTypes.WantsAs(ctx.Request.Headers.Accept.ToString(), "Table");
        var includeObject = watch.IncludeObject;

        WatchRegistration registration;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = table ? MediaTypes.TableV1 : MediaTypes.Json;
        try
        {
            registration = _registry.Watch(type, t.Namespace, watch.FromVersion);
        }
        catch (StorageException ex) when (ex.Failure == StorageFailure.Expired)
        {
            // Upstream: once the version is parsed, a too-old version is an ERROR event on a 200 stream.
            await WriteEventAsync(ctx, "ERROR", Errors.ApiErrors.FromStorage(ex).ToStatus());
            return;
        }

        // The deadline only stops the wait for events; writes use RequestAborted, so a deadline that fires while a
        // flush is pending never cancels it (Kestrel aborts the connection when a pending response flush is
        // cancelled, which would cut the stream off instead of ending it cleanly).
        using (registration)
        using (var timer = new CancellationTokenSource(timeout, _time))
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _shutdown, timer.Token))
        {
            using var bookmarks = watch.AllowBookmarks ? StartBookmarks(registration, timeout, deadline.Token) : null;
            var headersSent = false;
            try
            {
                await ctx.Response.StartAsync(ctx.RequestAborted);
                foreach (var o in registration.Initial)
                {
                    var presented = type.Present(o.Object);
                    if (filter is null || filter(presented))
                    {
                        WriteObjectEvent(ctx, "ADDED", type, presented, table, includeObject, ref headersSent);
                    }
                }

                if (watch.SendInitialEvents && watch.AllowBookmarks)
                {
                    var mark = Bookmark(type, registration.CurrentResourceVersion);
                    mark["metadata"]!["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
                    await WriteEventAsync(ctx, "BOOKMARK", mark);
                }

                await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
                await foreach (var e in registration.Events.ReadAllAsync(deadline.Token))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        await WriteEventAsync(ctx, "BOOKMARK", Bookmark(type, e.ResourceVersion));
                    }
                    else if (Translate(type, e, filter) is { } eventType)
                    {
                        if (!table && type.FromStorage is null && e.ObjectUtf8 is { } raw)
                        {
                            WriteRawEvent(ctx, eventType, raw);
                        }
                        else
                        {
                            WriteObjectEvent(ctx, eventType, type, type.Present(e.Object!), table, includeObject, ref headersSent);
                        }
                    }
                    else
                    {
                        continue;
                    }

                    await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // Timeout, client gone, or shutdown: end the stream cleanly.
            }
            catch (IOException)
            {
                // Client gone.
            }
        }
    }

    private static string? Translate(ResourceType type, WatchEvent e, Func<JsonObject, bool>? filter)
    {
        if (filter is null)
        {
            return e.Type switch
            {
                WatchEventType.Added => "ADDED",
                WatchEventType.Modified => "MODIFIED",
                _ => "DELETED",
            };
        }

        var now = e.Object is not null && filter(type.Present(e.Object));
        var before = e.Previous is not null && filter(type.Present(e.Previous));
        return e.Type switch
        {
            WatchEventType.Added => now ? "ADDED" : null,
            WatchEventType.Deleted => now || before ? "DELETED" : null,
            _ => (now, before) switch
            {
                (true, true) => "MODIFIED",
                (true, false) => "ADDED",
                (false, true) => "DELETED",
                _ => null,
            },
        };
    }

    private static JsonObject Bookmark(ResourceType type, long rv) => new()
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = ResourceVersions.Format(rv) },
    };

    /// <summary>As kube-apiserver: a random 30–60 minutes, so watchers do not all reconnect at once.</summary>
    internal TimeSpan DefaultTimeout()
    {
        lock (_random)
        {
            return TimeSpan.FromSeconds(1800 + _random.Next(1800));
        }
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonNode obj)
    {
        WriteEvent(ctx, type, obj);
        await ctx.Response.BodyWriter.FlushAsync(ctx.RequestAborted);
    }

    private static void WriteEvent(HttpContext ctx, string type, JsonNode obj)
    {
        using (var writer = new Utf8JsonWriter(ctx.Response.BodyWriter, ResponseWriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }

        ctx.Response.BodyWriter.Write(_newline);
    }

    private static void WriteRawEvent(HttpContext ctx, string type, byte[] objectUtf8)
    {
        using (var writer = new Utf8JsonWriter(ctx.Response.BodyWriter, ResponseWriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            writer.WriteRawValue(objectUtf8, skipInputValidation: true);
            writer.WriteEndObject();
        }

        ctx.Response.BodyWriter.Write(_newline);
    }

    private void WriteObjectEvent(HttpContext ctx, string eventType, ResourceType type, JsonObject obj, bool table, string includeObject, ref bool headersSent)
    {
        if (table)
        {
            var t = TableBuilder.Build(type, [obj], null, _time.GetUtcNow(), includeObject, withHeaders: !headersSent);
            headersSent = true;
            WriteEvent(ctx, eventType, t);
        }
        else
        {
            WriteEvent(ctx, eventType, obj);
        }
    }

    /// <summary>Queues bookmarks every interval and once 2 s before the deadline (as the apiserver's cacher does).</summary>
    private ITimer StartBookmarks(WatchRegistration registration, TimeSpan timeout, CancellationToken token)
    {
        var beforeDeadline = timeout - TimeSpan.FromSeconds(2);
        var first = beforeDeadline > TimeSpan.Zero && beforeDeadline < _bookmarkInterval ? beforeDeadline : _bookmarkInterval;
        return _time.CreateTimer(
            _ =>
            {
                if (!token.IsCancellationRequested)
                {
                    registration.RequestBookmark();
                }
            },
            null,
            first,
            _bookmarkInterval);
    }
}
