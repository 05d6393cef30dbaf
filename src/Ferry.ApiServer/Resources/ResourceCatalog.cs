using Ferry.ApiServer.Strategies;
using k8s.Models;

namespace Ferry.ApiServer.Resources;

/// <summary>The fixed set of kinds the embedded server serves (docs/kubernetes-api-contract.md, "What is served").</summary>
internal sealed class ResourceCatalog
{
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _byPath = [];

    /// <summary>Builds the catalog; <paramref name="services"/> carries this server's Service allocator.</summary>
    public ResourceCatalog(ServiceKindStrategy services)
    {
        Namespaces = Add(new("", "v1", "namespaces", "namespace", "Namespace", false, typeof(V1Namespace))
        {
            ShortNames = ["ns"],
            HasStatus = true,
            Table = TableLayout.Namespace,
            FieldSelectors = ["status.phase"],
            Strategy = new NamespaceKindStrategy(),
        });
        Services = Add(new("", "v1", "services", "service", "Service", true, typeof(V1Service))
        {
            ShortNames = ["svc"],
            Categories = ["all"],
            HasStatus = true,
            Table = TableLayout.Service,
            Strategy = services,
        });
        Add(new("", "v1", "endpoints", "endpoints", "Endpoints", true, typeof(V1Endpoints)) { ShortNames = ["ep"] });
        Add(new("", "v1", "nodes", "node", "Node", false, typeof(V1Node))
        {
            ShortNames = ["no"],
            HasStatus = true,
            Table = TableLayout.Node,
            FieldSelectors = ["spec.unschedulable"],
        });
        Add(new("", "v1", "pods", "pod", "Pod", true, typeof(V1Pod))
        {
            ShortNames = ["po"],
            Categories = ["all"],
            HasStatus = true,
            FieldSelectors = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        });
        Add(new("", "v1", "configmaps", "configmap", "ConfigMap", true, typeof(V1ConfigMap)) { ShortNames = ["cm"] });
        CoreEvents = Add(new("", "v1", "events", "event", "Event", true, typeof(Corev1Event))
        {
            ShortNames = ["ev"],
            Table = TableLayout.Event,
            FieldSelectors =
            [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ],
        });
        Add(new("apps", "v1", "deployments", "deployment", "Deployment", true, typeof(V1Deployment))
        {
            ShortNames = ["deploy"],
            Categories = ["all"],
            HasStatus = true,
            TracksGeneration = true,
            Table = TableLayout.Deployment,
            Strategy = new WorkloadKindStrategy(),
        });
        Add(new("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, typeof(V1EndpointSlice)) { Table = TableLayout.EndpointSlice });
        Add(new("events.k8s.io", "v1", "events", "event", "Event", true, typeof(Eventsv1Event))
        {
            ShortNames = ["ev"],
            FieldSelectors = ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type", "reportingController"],
            StorageKey = "/events",
            ToStorage = EventConversion.ToCore,
            FromStorage = EventConversion.FromCore,
        });
        Add(new("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, typeof(V1Lease)));
        Add(new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, typeof(V1SelfSubjectAccessReview)) { IsSelfReview = true });
        Add(new("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, typeof(V1SelfSubjectRulesReview)) { IsSelfReview = true });
    }

    /// <summary>The namespaces resource (needed for namespace existence checks).</summary>
    public ResourceType Namespaces { get; }

    /// <summary>The services resource.</summary>
    public ResourceType Services { get; }

    /// <summary>Core/v1 events.</summary>
    public ResourceType CoreEvents { get; }

    /// <summary>Every served resource, in discovery order.</summary>
    public List<ResourceType> All { get; } = [];

    /// <summary>The served group versions, core (<c>""</c>) first.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions =>
        All.Select(r => (r.Group, r.Version)).Distinct();

    /// <summary>Finds a resource by its URL parts.</summary>
    public ResourceType? Find(string group, string version, string plural) =>
        _byPath.GetValueOrDefault((group, version, plural));

    private ResourceType Add(ResourceType type)
    {
        _byPath[(type.Group, type.Version, type.Plural)] = type;
        All.Add(type);
        return type;
    }
}
