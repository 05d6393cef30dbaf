using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.Controller.KubernetesApi;

/// <summary>
/// Writes through KubernetesClient as upstream's <c>helpers.PatchService</c> does: strategic-merge
/// patches on the <c>status</c> subresource, for the finalizer and for <c>status.loadBalancer</c>.
/// </summary>
public sealed class KubernetesServiceWriter : IServiceWriter
{
    private readonly IKubernetes _client;

    public KubernetesServiceWriter(IKubernetes client) => _client = client;

    public async Task<V1Service> AddFinalizerAsync(V1Service service, CancellationToken cancellationToken)
    {
        // finalizers has patchStrategy=merge: the listed value is added to what is there.
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(FerryAnnotations.CleanupFinalizer) } };
        return await PatchAsync(service, patch, cancellationToken);
    }

    public async Task RemoveFinalizerAsync(V1Service service, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["$deleteFromPrimitiveList/finalizers"] = new JsonArray(FerryAnnotations.CleanupFinalizer) },
        };
        try
        {
            await PatchAsync(service, patch, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone: nothing holds it any more.
        }
    }

    public async Task<V1Service?> PatchStatusAsync(V1Service service, V1LoadBalancerStatus status, CancellationToken cancellationToken)
    {
        // ingress is an atomic list: the patch replaces it whole; null clears it.
        JsonNode? ingress = status.Ingress is { Count: > 0 }
            ? JsonNode.Parse(KubernetesJson.Serialize(status.Ingress))
            : null;
        var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = ingress } } };
        try
        {
            return await PatchAsync(service, patch, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Upstream ignores NotFound here: the Service was deleted meanwhile.
            return null;
        }
    }

    public async Task<V1Service?> PatchConditionAsync(V1Service service, V1Condition condition, CancellationToken cancellationToken)
    {
        // conditions has patchMergeKey=type: the entry of this type is replaced, the others are left alone.
        var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = new JsonArray(JsonNode.Parse(KubernetesJson.Serialize(condition))) } };
        try
        {
            return await PatchAsync(service, patch, cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<V1Service> PatchAsync(V1Service service, JsonObject patch, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch(patch.ToJsonString(JsonSerializerOptions.Default), V1Patch.PatchType.StrategicMergePatch),
            service.Metadata.Name,
            ServiceKeys.Of(service).Namespace,
            cancellationToken: cancellationToken);
}
