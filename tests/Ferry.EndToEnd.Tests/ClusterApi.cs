using System.Net;
using k8s;
using k8s.Models;

namespace Ferry.EndToEnd.Tests;

/// <summary>Typed shortcuts over the embedded API server for the tests: Services, Nodes, EndpointSlices, Events, bounded waits.</summary>
internal sealed class ClusterApi
{
    public static readonly TimeSpan Wait = LocalFerryFixture.Wait;

    public ClusterApi(IKubernetes client) => Client = client;

    public IKubernetes Client { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string? IngressIp(V1Service? service) => service?.Status?.LoadBalancer?.Ingress?.FirstOrDefault()?.Ip;

    /// <summary>A LoadBalancer Service without selector, one TCP port named "main".</summary>
    public Task<V1Service> CreateServiceAsync(string name, int port, Action<V1Service>? configure = null)
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Annotations = new Dictionary<string, string>() },
            Spec = new V1ServiceSpec
            {
                Type = "LoadBalancer",
                Ports = [new V1ServicePort { Name = "main", Port = port, TargetPort = 9376, Protocol = "TCP" }],
            },
        };
        configure?.Invoke(service);
        return Client.CoreV1.CreateNamespacedServiceAsync(service, "default", cancellationToken: Ct);
    }

    /// <summary>A Node with an InternalIP, Ready unless <paramref name="ready"/> is false.</summary>
    public Task<V1Node> CreateNodeAsync(string name, IPAddress address, bool ready = true) =>
        Client.CoreV1.CreateNodeAsync(
            new V1Node
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
                Spec = new V1NodeSpec(),
                Status = new V1NodeStatus
                {
                    Addresses = [new V1NodeAddress { Type = "InternalIP", Address = address.ToString() }, new V1NodeAddress { Type = "Hostname", Address = name }],
                    Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False", Reason = ready ? "KubeletReady" : "KubeletNotReady" }],
                },
            },
            cancellationToken: Ct);

    public Task<V1Node> PatchNodeAsync(string name, string mergePatch) =>
        Client.CoreV1.PatchNodeAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), name, cancellationToken: Ct);

    public Task<V1Service> PatchServiceAsync(string name, string mergePatch) =>
        Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), name, "default", cancellationToken: Ct);

    /// <summary>One EndpointSlice per backend (their ports differ), each with one ready endpoint on port "main".</summary>
    public Task CreateEndpointSlicesAsync(string serviceName, params IPEndPoint[] backends) => CreateEndpointSlicesAsync(serviceName, "TCP", backends);

    /// <summary>One EndpointSlice per backend, each with one ready endpoint on port "main" of <paramref name="protocol"/>.</summary>
    public async Task CreateEndpointSlicesAsync(string serviceName, string protocol, params IPEndPoint[] backends)
    {
        for (var i = 0; i < backends.Length; i++)
        {
            await Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
                new V1EndpointSlice
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = $"{serviceName}-{i + 1}",
                        NamespaceProperty = "default",
                        Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = serviceName },
                    },
                    AddressType = "IPv4",
                    Ports = [new Discoveryv1EndpointPort { Name = "main", Port = backends[i].Port, Protocol = protocol }],
                    Endpoints = [new V1Endpoint { Addresses = [backends[i].Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
                },
                "default",
                cancellationToken: Ct);
        }
    }

    public async Task<V1Service?> GetServiceAsync(string name)
    {
        try
        {
            return await Client.CoreV1.ReadNamespacedServiceAsync(name, "default", cancellationToken: Ct);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Polls the Service until <paramref name="condition"/> holds (bounded); returns it, or null if it is gone.</summary>
    public async Task<V1Service?> WaitForServiceAsync(string name, Func<V1Service?, bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Wait);
        V1Service? service = null;
        while (DateTime.UtcNow < deadline)
        {
            service = await GetServiceAsync(name);
            if (condition(service))
            {
                return service;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail($"service {name} did not reach the expected state in {within ?? Wait}; last seen: {(service is null ? "gone" : KubernetesJson.Serialize(service))}");
        return null;
    }

    public async Task<string> WaitForIpAsync(string name) => IngressIp(await WaitForServiceAsync(name, s => IngressIp(s) is not null))!;

    /// <summary>The Events about a Service, oldest first, as "Type Reason: Message".</summary>
    public async Task<IReadOnlyList<string>> EventsAsync(string serviceName)
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={serviceName}", cancellationToken: Ct);
        return [.. events.Items.OrderBy(e => e.LastTimestamp ?? e.FirstTimestamp).ThenBy(e => e.Metadata.CreationTimestamp).Select(e => $"{e.Type} {e.Reason}: {e.Message}")];
    }

    /// <summary>Waits (bounded) for an Event of <paramref name="reason"/> whose "Type Reason: Message" satisfies <paramref name="match"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForEventAsync(string serviceName, string reason, Func<string, bool>? match = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Wait);
        IReadOnlyList<string> events = [];
        while (DateTime.UtcNow < deadline)
        {
            events = await EventsAsync(serviceName);
            if (events.Any(e => e.Contains(" " + reason + ":", StringComparison.Ordinal) && (match is null || match(e))))
            {
                return events;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail($"no matching {reason} event for {serviceName}; events: {string.Join(" | ", events)}");
        return events;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> passes; true when it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25, Ct);
        }
        while (DateTime.UtcNow < deadline);

        return await condition();
    }
}
