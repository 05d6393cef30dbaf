using System.Text.Json;
using Ferry.ApiServer.Authorization;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The API server's front door, the one middleware Kestrel runs: authentication, then the
/// <see cref="ApiRouter"/> (which authorizes); every failure leaves as a Kubernetes Status (registry errors as they are, storage
/// failures through <see cref="ApiErrors.FromStorage"/>, anything else as 500).
/// </summary>
internal sealed partial class ApiRequestHandler
{
    private readonly BearerAuthentication _authentication;
    private readonly ApiRouter _router;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuditLog? _audit;

    public ApiRequestHandler(ResourceRegistry registry, WatchEndpoint watch, BearerAuthentication authentication, RequestAuthorizer authorizer, long maxBodyBytes, TimeProvider time, ILogger logger, KubernetesVersion version, AuditLog? audit = null)
    {
        _audit = audit;
        var body = new RequestBodyReader(maxBodyBytes);
        _authentication = authentication;
        var reviews = new AccessReviewEndpoint(authorizer, body);
        _router = new ApiRouter(registry.Catalog, new ListEndpoint(registry, body, time), new ItemEndpoint(registry, body, time), watch, reviews, authorizer, version);
        _time = time;
        _logger = logger;
    }

    /// <summary>Handles one request.</summary>
    public async Task HandleAsync(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-cache, private";
        var path = ctx.Request.Path.Value ?? "/";
        var started = _time.GetTimestamp();
        var received = _audit is null ? default : _time.GetUtcNow();
        UserIdentity? user = null;
        try
        {
            if (!BearerAuthentication.IsPublic(path))
            {
                user = _authentication.Authenticate(ctx) ?? throw ApiErrors.Unauthorized();
            }

            await _router.RouteAsync(ctx, path, user);
        }
        catch (ApiException ex)
        {
            await ResponseWriter.WriteErrorAsync(ctx, ex);
        }
        catch (StorageException ex)
        {
            await ResponseWriter.WriteErrorAsync(ctx, ApiErrors.FromStorage(ex));
        }
        catch (JsonException ex)
        {
            await ResponseWriter.WriteErrorAsync(ctx, ApiErrors.BadRequest(ex.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnhandled(_logger, ctx.Request.Method, path, ex);
            await ResponseWriter.WriteErrorAsync(ctx, ApiErrors.Internal(ex.Message));
        }
        finally
        {
            _audit?.Write(ctx, ctx.Features.Get<RequestAttributes>(), user, received);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var target = path + ctx.Request.QueryString;
                var elapsed = _time.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(_logger, ctx.Request.Method, target, ctx.Response.StatusCode, elapsed);
            }
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception ex);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "{Method} {Target} -> {Status} in {Milliseconds:F1} ms")]
    private static partial void LogRequest(ILogger logger, string method, string target, int status, double milliseconds);
}
