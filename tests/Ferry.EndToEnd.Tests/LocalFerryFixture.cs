using System.Globalization;
using System.Net;
using Ferry.Hosting;
using Ferry.Ipam;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>A whole <c>ferry up</c> in process, on a random loopback pool and a free API port, in a temp directory.</summary>
internal sealed class LocalFerryFixture : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _directory;

    private LocalFerryFixture(string directory, LocalFerry ferry, string poolPrefix)
    {
        _directory = directory;
        Ferry = ferry;
        PoolPrefix = poolPrefix;
    }

    public LocalFerry Ferry { get; }

    public IKubernetes Client => Ferry.Client;

    /// <summary>The first three octets of this fixture's pool, e.g. <c>127.45.7.</c>.</summary>
    public string PoolPrefix { get; }

    /// <param name="poolRange">A range inside the fixture's /24, e.g. "10-10" for a one-address pool; null for the whole /24.</param>
    public static async Task<LocalFerryFixture> StartAsync(string? poolRange = null)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
        var range = poolRange is null
            ? AddressRange.Parse(prefix + "0/24")
            : AddressRange.Parse(string.Join('-', poolRange.Split('-').Select(p => prefix + p)));
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        var ferry = await LocalFerry.StartAsync(
            new LocalFerryOptions
            {
                DataDirectory = directory,
                ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
                Pools = [new AddressPool("default", [range])],
            },
            NullLoggerFactory.Instance,
            TestContext.Current.CancellationToken);
        return new LocalFerryFixture(directory, ferry, prefix);
    }

    /// <summary>A LoadBalancer Service without selector (its endpoints come from <see cref="CreateEndpointSliceAsync"/>).</summary>
    public Task<V1Service> CreateServiceAsync(string name, int port, Action<V1Service>? configure = null)
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
            Spec = new V1ServiceSpec
            {
                Type = "LoadBalancer",
                Ports = [new V1ServicePort { Name = "main", Port = port, TargetPort = 9376, Protocol = "TCP" }],
            },
        };
        configure?.Invoke(service);
        return Client.CoreV1.CreateNamespacedServiceAsync(service, "default", cancellationToken: TestContext.Current.CancellationToken);
    }

    public Task<V1EndpointSlice> CreateEndpointSliceAsync(string serviceName, IPEndPoint backend, string portName = "main") =>
        Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta
                {
                    Name = serviceName + "-1",
                    NamespaceProperty = "default",
                    Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = serviceName },
                },
                AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Name = portName, Port = backend.Port, Protocol = "TCP" }],
                Endpoints = [new V1Endpoint { Addresses = [backend.Address.ToString()], Conditions = new V1EndpointConditions { Ready = true } }],
            },
            "default",
            cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Polls the Service until <paramref name="condition"/> holds (bounded); returns it, or null if it is gone.</summary>
    public async Task<V1Service?> WaitForServiceAsync(string name, Func<V1Service?, bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        V1Service? service = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                service = await Client.CoreV1.ReadNamespacedServiceAsync(name, "default", cancellationToken: TestContext.Current.CancellationToken);
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
                service = null;
            }

            if (condition(service))
            {
                return service;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"service {name} did not reach the expected state in {Wait}; last seen: {(service is null ? "gone" : KubernetesJson.Serialize(service))}");
        return null;
    }

    /// <summary>The Events about a Service, oldest first, as "Type Reason: Message".</summary>
    public async Task<IReadOnlyList<string>> EventsAsync(string serviceName)
    {
        var events = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={serviceName}", cancellationToken: TestContext.Current.CancellationToken);
        return [.. events.Items.OrderBy(e => e.FirstTimestamp).ThenBy(e => e.Metadata.CreationTimestamp).Select(e => $"{e.Type} {e.Reason}: {e.Message}")];
    }

    public async Task<IReadOnlyList<string>> WaitForEventAsync(string serviceName, string reason)
    {
        var deadline = DateTime.UtcNow + Wait;
        IReadOnlyList<string> events = [];
        while (DateTime.UtcNow < deadline)
        {
            events = await EventsAsync(serviceName);
            if (events.Any(e => e.Contains(" " + reason + ":", StringComparison.Ordinal)))
            {
                return events;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"no {reason} event for {serviceName}; events: {string.Join(" | ", events)}");
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await Ferry.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
