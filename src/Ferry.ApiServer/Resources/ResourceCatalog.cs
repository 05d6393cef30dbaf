using System.Collections.Immutable;
using Ferry.ApiServer.CustomResources;
using Ferry.ApiServer.Strategies;
using k8s.Models;

namespace Ferry.ApiServer.Resources;

/// <summary>
/// The kinds the embedded server serves (docs/kubernetes-api-contract.md, "What is served"): a fixed set of
/// built-in kinds, and the versions of custom resources that established CustomResourceDefinitions add and
/// take away while the server runs. Readers see an immutable snapshot; definitions change it under a lock.
/// </summary>
internal sealed class ResourceCatalog
{
    private readonly object _gate = new();
    private readonly ImmutableArray<ResourceType> _builtIn;
    private ImmutableDictionary<string, ImmutableArray<ResourceType>> _custom = ImmutableDictionary.Create<string, ImmutableArray<ResourceType>>(StringComparer.Ordinal);
    private volatile Snapshot _snapshot;

    /// <summary>Builds the catalog; <paramref name="services"/> carries this server's Service allocator.</summary>
    public ResourceCatalog(ServiceKindStrategy services, TimeProvider time)
    {
        var all = new List<ResourceType>();
        Namespaces = Add(all, new("", "v1", "namespaces", "namespace", "Namespace", false, typeof(V1Namespace))
        {
            ShortNames = ["ns"],
            HasStatus = true,
            Table = TableLayout.Namespace,
            FieldSelectors = ["status.phase"],
            Strategy = new NamespaceKindStrategy(),
        });
        Services = Add(all, new("", "v1", "services", "service", "Service", true, typeof(V1Service))
        {
            ShortNames = ["svc"],
            Categories = ["all"],
            HasStatus = true,
            Table = TableLayout.Service,
            Strategy = services,
        });
        Add(all, new("", "v1", "endpoints", "endpoints", "Endpoints", true, typeof(V1Endpoints)) { ShortNames = ["ep"], Strategy = new EndpointsKindStrategy(slices: false) });
        Add(all, new("", "v1", "nodes", "node", "Node", false, typeof(V1Node))
        {
            ShortNames = ["no"],
            HasStatus = true,
            Table = TableLayout.Node,
            FieldSelectors = ["spec.unschedulable"],
        });
        Add(all, new("", "v1", "pods", "pod", "Pod", true, typeof(V1Pod))
        {
            ShortNames = ["po"],
            Categories = ["all"],
            HasStatus = true,
            FieldSelectors = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        });
        Add(all, new("", "v1", "configmaps", "configmap", "ConfigMap", true, typeof(V1ConfigMap)) { ShortNames = ["cm"] });
        CoreEvents = Add(all, new("", "v1", "events", "event", "Event", true, typeof(Corev1Event))
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
        Add(all, new("apps", "v1", "deployments", "deployment", "Deployment", true, typeof(V1Deployment))
        {
            ShortNames = ["deploy"],
            Categories = ["all"],
            HasStatus = true,
            TracksGeneration = true,
            Table = TableLayout.Deployment,
            Strategy = new WorkloadKindStrategy(),
        });
        Add(all, new("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, typeof(V1EndpointSlice)) { Table = TableLayout.EndpointSlice, Strategy = new EndpointsKindStrategy(slices: true) });
        Add(all, new("events.k8s.io", "v1", "events", "event", "Event", true, typeof(Eventsv1Event))
        {
            ShortNames = ["ev"],
            FieldSelectors = ["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "reason", "type", "reportingController"],
            StorageKey = "/events",
            ToStorage = EventConversion.ToCore,
            FromStorage = EventConversion.FromCore,
        });
        Add(all, new("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, typeof(V1Lease)));
        Definitions = Add(all, new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, typeof(V1CustomResourceDefinition))
        {
            ShortNames = ["crd", "crds"],
            Categories = ["api-extensions"],
            HasStatus = true,
            TracksGeneration = true,
            Table = TableLayout.NameCreatedAt,
            Strategy = new DefinitionStrategy(this, time),
        });
        Add(all, new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, typeof(V1SelfSubjectAccessReview)) { IsSelfReview = true });
        Add(all, new("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, typeof(V1SelfSubjectRulesReview)) { IsSelfReview = true });
        _builtIn = [.. all];
        _snapshot = new Snapshot(_builtIn);
    }

    /// <summary>The namespaces resource (needed for namespace existence checks).</summary>
    public ResourceType Namespaces { get; }

    /// <summary>The services resource.</summary>
    public ResourceType Services { get; }

    /// <summary>Core/v1 events.</summary>
    public ResourceType CoreEvents { get; }

    /// <summary>apiextensions.k8s.io/v1 CustomResourceDefinitions.</summary>
    public ResourceType Definitions { get; }

    /// <summary>Every served resource, in discovery order (built-in kinds first, then custom ones by definition name).</summary>
    public IReadOnlyList<ResourceType> All => _snapshot.All;

    /// <summary>The served group versions, core (<c>""</c>) first; a group's versions by Kubernetes version priority.</summary>
    public IEnumerable<(string Group, string Version)> GroupVersions => _snapshot.GroupVersions;

    /// <summary>Finds a resource by its URL parts.</summary>
    public ResourceType? Find(string group, string version, string plural) =>
        _snapshot.ByPath.GetValueOrDefault((group, version, plural));

    /// <summary>The served versions of the custom resource a definition adds (empty when none are served).</summary>
    public ImmutableArray<ResourceType> CustomTypesOf(string definitionName) =>
        _custom.TryGetValue(definitionName, out var types) ? types : [];

    /// <summary>Serves <paramref name="types"/> for the definition, replacing what it served before; empty stops serving it.</summary>
    public void SetCustomTypes(string definitionName, ImmutableArray<ResourceType> types)
    {
        lock (_gate)
        {
            _custom = types.IsDefaultOrEmpty ? _custom.Remove(definitionName) : _custom.SetItem(definitionName, types);
            _snapshot = new Snapshot([.. _builtIn, .. _custom.OrderBy(c => c.Key, StringComparer.Ordinal).SelectMany(c => c.Value)]);
        }
    }

    private static ResourceType Add(List<ResourceType> all, ResourceType type)
    {
        all.Add(type);
        return type;
    }

    /// <summary>One immutable view of what is served.</summary>
    private sealed class Snapshot
    {
        public Snapshot(ImmutableArray<ResourceType> all)
        {
            All = all;
            ByPath = all.GroupBy(t => (t.Group, t.Version, t.Plural)).ToImmutableDictionary(g => g.Key, g => g.First());
            GroupVersions =
            [
                .. all.Select(t => t.Group).Distinct()
                    .SelectMany(g => all.Where(t => t.Group == g).Select(t => t.Version).Distinct()
                        .OrderBy(v => v, KubeVersionOrder.Instance).Select(v => (g, v))),
            ];
        }

        public ImmutableArray<ResourceType> All { get; }

        public ImmutableDictionary<(string Group, string Version, string Plural), ResourceType> ByPath { get; }

        public ImmutableArray<(string Group, string Version)> GroupVersions { get; }
    }
}
