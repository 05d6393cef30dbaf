using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.Controller.Informers;

/// <summary>
/// List and watch of a custom resource, cluster-wide. A resource the cluster does not serve (its definition
/// is not installed) lists as empty and is looked for again after a while (the source's <c>absentRetry</c>), so the
/// controller picks the objects up once someone installs the definition, without a restart and without errors.
/// </summary>
public static class CustomObjectSources
{
    /// <summary>The resourceVersion an absent resource lists with; its watch waits, then asks for a relist.</summary>
    private const string Absent = "absent";

    /// <summary>The objects of <paramref name="group"/>/<paramref name="version"/> <paramref name="plural"/> in every namespace (or cluster-scoped ones).</summary>
    public static ResourceSource<CustomObject> Of(IKubernetes client, string group, string version, string plural, TimeSpan absentRetry) => new(
        plural + "." + group,
        async ct =>
        {
            try
            {
                var list = (JsonElement)await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(group, version, plural, cancellationToken: ct);
                var items = list.GetProperty("items").EnumerateArray().Select(i => CustomObject.From(i)).ToList();
                var rv = list.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var v) ? v.GetString() ?? string.Empty : string.Empty;
                return new ResourceList<CustomObject>(items, rv);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return new ResourceList<CustomObject>([], Absent);
            }
        },
        (rv, timeout, onError, ct) => rv == Absent ? WaitForDefinitionAsync(absentRetry, onError, ct) : WatchAsync(client, group, version, plural, rv, timeout, onError, ct));

    private static async IAsyncEnumerable<(WatchEventType, CustomObject)> WatchAsync(
        IKubernetes client, string group, string version, string plural, string rv, int timeout, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var (type, item) in client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
            group, version, plural, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: timeout, onError: onError, cancellationToken: ct))
        {
            yield return (type, CustomObject.From(item));
        }
    }

    private static async IAsyncEnumerable<(WatchEventType, CustomObject)> WaitForDefinitionAsync(TimeSpan retry, Action<Exception> onError, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Delay(retry, ct);
        // As if the watch expired: the informer lists again, and finds the resource once it is served.
        onError(new KubernetesException(new V1Status { Code = 410, Reason = "Expired", Message = "the resource was not served; listing again" }));
        yield break;
    }
}
