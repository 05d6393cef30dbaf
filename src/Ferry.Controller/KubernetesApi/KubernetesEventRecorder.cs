using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Ferry.Controller.KubernetesApi;

/// <summary>
/// Writes core/v1 Events from component <c>service-controller</c> (or another, such as the replicas'
/// <c>ferry-speaker</c>) in the background, in order,
/// folding repeats of the same Event into a higher <c>count</c> as client-go's correlator does,
/// so <c>kubectl describe</c> shows them as upstream's would.
/// </summary>
public sealed partial class KubernetesEventRecorder : IEventRecorder, IAsyncDisposable
{
    public const string Component = "service-controller";

    private readonly IKubernetes _client;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _instance;
    private readonly string _component;
    private readonly Channel<Corev1Event> _pending = Channel.CreateBounded<Corev1Event>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Dictionary<string, (string Name, int Count, DateTimeOffset First)> _recent = new(StringComparer.Ordinal);
    private readonly Task _writer;

    /// <param name="component">The Events' <c>source.component</c> and <c>reportingComponent</c>.</param>
    public KubernetesEventRecorder(IKubernetes client, TimeProvider timeProvider, ILogger<KubernetesEventRecorder> logger, string instance, string component = Component)
    {
        _component = component;
        _client = client;
        _timeProvider = timeProvider;
        _logger = logger;
        _instance = instance;
        _writer = Task.Run(WriteLoopAsync);
    }

    public void Record(V1Service service, string type, string reason, string message)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var serviceNamespace = ServiceKeys.Of(service).Namespace;
        var item = new Corev1Event
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = serviceNamespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "v1",
                Kind = "Service",
                Name = service.Metadata?.Name,
                NamespaceProperty = serviceNamespace,
                Uid = service.Metadata?.Uid,
                ResourceVersion = service.Metadata?.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = _component },
            ReportingComponent = _component,
            ReportingInstance = _instance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        _pending.Writer.TryWrite(item);
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var item in _pending.Reader.ReadAllAsync())
        {
            try
            {
                await WriteAsync(item);
            }
            catch (Exception ex)
            {
                Log.EventWriteFailed(_logger, item.Reason, item.InvolvedObject.Name, ex);
            }
        }
    }

    private async Task WriteAsync(Corev1Event item)
    {
        var ns = item.Metadata.NamespaceProperty;
        var key = string.Join('\u0000', item.InvolvedObject.Uid, item.InvolvedObject.Name, item.Type, item.Reason, item.Message);
        if (_recent.TryGetValue(key, out var seen))
        {
            var count = seen.Count + 1;
            var patch = $$"""{"count":{{count.ToString(CultureInfo.InvariantCulture)}},"lastTimestamp":"{{item.LastTimestamp!.Value.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)}}"}""";
            try
            {
                await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), seen.Name, ns);
                _recent[key] = (seen.Name, count, seen.First);
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                _recent.Remove(key); // Expired or deleted: create it anew.
            }
        }

        // client-go names Events "<object name>.<hex nanoseconds>".
        var nanos = (item.FirstTimestamp!.Value - DateTime.UnixEpoch).Ticks * 100;
        item.Metadata.Name = $"{item.InvolvedObject.Name}.{nanos.ToString("x", CultureInfo.InvariantCulture)}";
        var created = await _client.CoreV1.CreateNamespacedEventAsync(item, ns);
        if (_recent.Count > 4096)
        {
            _recent.Clear();
        }

        _recent[key] = (created.Metadata.Name, 1, item.FirstTimestamp.Value);
    }

    private static partial class Log
    {
        [LoggerMessage(2201, LogLevel.Warning, "Could not write Event {Reason} for Service {Service}")]
        public static partial void EventWriteFailed(ILogger logger, string reason, string service, Exception exception);
    }
}
