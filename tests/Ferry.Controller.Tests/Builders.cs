using k8s.Models;

namespace Ferry.Controller.Tests;

/// <summary>Small builders for the Kubernetes objects the tests need.</summary>
internal static class Builders
{
    public static V1Service LoadBalancer(string name = "web", params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "uid-" + name, Annotations = new Dictionary<string, string>() },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            Ports = ports.Length > 0 ? [.. ports] : new List<V1ServicePort> { Port(80, nodePort: 30080) },
            ExternalTrafficPolicy = "Cluster",
        },
    };

    public static V1ServicePort Port(int port, string protocol = "TCP", int? nodePort = null, string? name = null, int? targetPort = null) =>
        new() { Port = port, Protocol = protocol, NodePort = nodePort, Name = name, TargetPort = targetPort ?? port };

    public static V1Node Node(string name, string? internalIp = null, string? externalIp = null, Dictionary<string, string>? labels = null)
    {
        var addresses = new List<V1NodeAddress>();
        if (externalIp is not null)
        {
            addresses.Add(new V1NodeAddress { Address = externalIp, Type = "ExternalIP" });
        }

        if (internalIp is not null)
        {
            addresses.Add(new V1NodeAddress { Address = internalIp, Type = "InternalIP" });
        }

        return new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus { Addresses = addresses },
        };
    }

    public static V1EndpointSlice Slice(string portName, int port, string protocol, params (string Address, bool? Ready)[] endpoints) => new()
    {
        AddressType = "IPv4",
        Metadata = new V1ObjectMeta { Name = "slice", NamespaceProperty = "default" },
        Ports = [new Discoveryv1EndpointPort { Name = portName, Port = port, Protocol = protocol }],
        Endpoints = [.. endpoints.Select(e => new V1Endpoint { Addresses = [e.Address], Conditions = new V1EndpointConditions { Ready = e.Ready } })],
    };
}
