using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.ApiServer.Tests;

/// <summary>CRUD, concurrency, status subresource, patches and finalizers through the official KubernetesClient.</summary>
public class ClientCrudTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Service Service(string name, params string[] finalizers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name }, Finalizers = finalizers.Length > 0 ? finalizers : null },
        Spec = new V1ServiceSpec { Type = "LoadBalancer", Selector = new Dictionary<string, string> { ["app"] = name }, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }] },
    };

    [Fact]
    public async Task Create_Service_SetsServerMetadataAndStatus()
    {
        await using var server = await TestApiServer.StartAsync();
        var created = await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("web"), "default", cancellationToken: Ct);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal("default", created.Metadata.NamespaceProperty);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Null(created.Metadata.Generation);
        Assert.NotNull(created.Status?.LoadBalancer);

        var read = await server.Client.CoreV1.ReadNamespacedServiceAsync("web", "default", cancellationToken: Ct);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        var all = await server.Client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: Ct);
        Assert.Contains(all.Items, s => s.Metadata.Name == "web");
        Assert.True(long.Parse(all.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Create_Twice_Gets409AlreadyExists()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("dup"), "default", cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.CreateNamespacedServiceAsync(Service("dup"), "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
        Assert.Contains("\"reason\":\"AlreadyExists\"", ex.Response.Content, StringComparison.Ordinal);
        Assert.Contains("services \\\"dup\\\" already exists", ex.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_Missing_Gets404NotFound()
    {
        await using var server = await TestApiServer.StartAsync();
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ReadNamespacedServiceAsync("nope", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, ex.Response.StatusCode);
        Assert.Contains("\"reason\":\"NotFound\"", ex.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InMissingNamespace_Gets404()
    {
        await using var server = await TestApiServer.StartAsync();
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.CreateNamespacedServiceAsync(Service("x"), "nowhere", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, ex.Response.StatusCode);
        Assert.Contains("namespaces \\\"nowhere\\\" not found", ex.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_StaleResourceVersion_Gets409Conflict()
    {
        await using var server = await TestApiServer.StartAsync();
        var created = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "default", cancellationToken: Ct);
        created.Data = new Dictionary<string, string> { ["k"] = "1" };
        var updated = await server.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default", cancellationToken: Ct);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        created.Data["k"] = "2";
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", ex.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_Unchanged_KeepsResourceVersion()
    {
        await using var server = await TestApiServer.StartAsync();
        var created = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "same" } }, "default", cancellationToken: Ct);
        var again = await server.Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "same", "default", cancellationToken: Ct);
        Assert.Equal(created.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task StatusSubresource_ChangesOnlyStatus_AndMainWritesKeepStatus()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("lb"), "default", cancellationToken: Ct);
        var patched = await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"spec":{"type":"ClusterIP"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.30","ipMode":"VIP"}]}}}""", V1Patch.PatchType.MergePatch),
            "lb", "default", cancellationToken: Ct);
        Assert.Equal("LoadBalancer", patched.Spec.Type);
        Assert.Equal("192.0.2.30", patched.Status.LoadBalancer.Ingress.Single().Ip);

        patched.Status.LoadBalancer.Ingress = null;
        patched.Metadata.Labels["tier"] = "edge";
        var replaced = await server.Client.CoreV1.ReplaceNamespacedServiceAsync(patched, "lb", "default", cancellationToken: Ct);
        Assert.Equal("edge", replaced.Metadata.Labels["tier"]);
        Assert.Equal("192.0.2.30", replaced.Status.LoadBalancer.Ingress.Single().Ip);

        var applied = await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"lb"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.31","ipMode":"Proxy"}]}}}""", V1Patch.PatchType.ApplyPatch),
            "lb", "default", fieldManager: "lb-controller", force: true, cancellationToken: Ct);
        Assert.Equal("192.0.2.31", applied.Status.LoadBalancer.Ingress.Single().Ip);

        var read = await server.Client.CoreV1.ReadNamespacedServiceStatusAsync("lb", "default", cancellationToken: Ct);
        read.Status.LoadBalancer.Ingress = [new V1LoadBalancerIngress { Ip = "192.0.2.32", IpMode = "VIP" }];
        var status = await server.Client.CoreV1.ReplaceNamespacedServiceStatusAsync(read, "lb", "default", cancellationToken: Ct);
        Assert.Equal("192.0.2.32", status.Status.LoadBalancer.Ingress.Single().Ip);
    }

    [Fact]
    public async Task Patch_EveryType_AppliesItsSemantics()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("p", "a/one"), "default", cancellationToken: Ct);

        var smp = await server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"metadata":{"finalizers":["a/two"]},"spec":{"ports":[{"port":443,"name":"tls"}]}}""", V1Patch.PatchType.StrategicMergePatch), "p", "default", cancellationToken: Ct);
        Assert.Equal(["a/two", "a/one"], smp.Metadata.Finalizers);
        Assert.Equal([443, 80], smp.Spec.Ports.Select(x => x.Port));

        var merge = await server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"metadata":{"finalizers":null},"spec":{"ports":[{"port":81}]}}""", V1Patch.PatchType.MergePatch), "p", "default", cancellationToken: Ct);
        Assert.Null(merge.Metadata.Finalizers);
        Assert.Equal([81], merge.Spec.Ports.Select(x => x.Port));

        var json = await server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/ports/0/port","value":82},{"op":"add","path":"/metadata/labels/x","value":"y"}]""", V1Patch.PatchType.JsonPatch), "p", "default", cancellationToken: Ct);
        Assert.Equal(82, json.Spec.Ports.Single().Port);
        Assert.Equal("y", json.Metadata.Labels["x"]);

        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""[{"op":"test","path":"/metadata/labels/x","value":"z"}]""", V1Patch.PatchType.JsonPatch), "p", "default", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode)422, failed.Response.StatusCode);

        var applied = await server.Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"made"},"data":{"a":"b"}}""", V1Patch.PatchType.ApplyPatch), "made", "default", fieldManager: "test", cancellationToken: Ct);
        Assert.Equal("b", applied.Data["a"]);
    }

    [Fact]
    public async Task Delete_WithFinalizers_MarksThenRemovesWhenLastFinalizerGoes()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("fin", "a/one", "a/two"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.DeleteNamespacedServiceAsync("fin", "default", cancellationToken: Ct);
        var marked = await server.Client.CoreV1.ReadNamespacedServiceAsync("fin", "default", cancellationToken: Ct);
        Assert.NotNull(marked.Metadata.DeletionTimestamp);

        var add = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"metadata":{"finalizers":["a/one","a/two","a/three"]}}""", V1Patch.PatchType.MergePatch), "fin", "default", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode)422, add.Response.StatusCode);

        await server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["a/one"]}}""", V1Patch.PatchType.StrategicMergePatch), "fin", "default", cancellationToken: Ct);
        var still = await server.Client.CoreV1.ReadNamespacedServiceAsync("fin", "default", cancellationToken: Ct);
        Assert.Equal(["a/two"], still.Metadata.Finalizers);

        await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "fin", "default", cancellationToken: Ct);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ReadNamespacedServiceAsync("fin", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task DryRun_Create_PersistsNothing()
    {
        await using var server = await TestApiServer.StartAsync();
        var result = await server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dry" } }, "default", dryRun: "All", cancellationToken: Ct);
        Assert.Equal("dry", result.Metadata.Name);
        var list = await server.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        Assert.DoesNotContain(list.Items, c => c.Metadata.Name == "dry");
    }

    [Fact]
    public async Task GenerateName_Event_GetsSuffixAndFractionalTimesAreAccepted()
    {
        await using var server = await TestApiServer.StartAsync();
        var ev = await server.Client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = "web-" },
                InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default" },
                Reason = "Test",
                Message = "hello",
                Type = "Normal",
                FirstTimestamp = DateTime.UtcNow,
                LastTimestamp = DateTime.UtcNow,
                Count = 1,
            },
            "default",
            cancellationToken: Ct);
        Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$", ev.Metadata.Name);

        var v1 = await server.Client.EventsV1.CreateNamespacedEventAsync(
            new Eventsv1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = "web-" },
                EventTime = DateTime.UtcNow,
                ReportingController = "ferry.example/controller",
                ReportingInstance = "ferry-1",
                Action = "Ensure",
                Reason = "Test",
                Note = "hello",
                Type = "Normal",
                Regarding = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default" },
            },
            "default",
            cancellationToken: Ct);
        Assert.StartsWith("web-", v1.Metadata.Name, StringComparison.Ordinal);

        var selected = await server.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.kind=Service,involvedObject.name=web", cancellationToken: Ct);
        Assert.Equal(2, selected.Items.Count);
        var none = await server.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=other", cancellationToken: Ct);
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task List_LabelSelector_FiltersItems()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("a"), "default", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("b"), "default", cancellationToken: Ct);
        var list = await server.Client.CoreV1.ListNamespacedServiceAsync("default", labelSelector: "app in (a, c)", cancellationToken: Ct);
        Assert.Equal(["a"], list.Items.Select(s => s.Metadata.Name));
        var notB = await server.Client.CoreV1.ListNamespacedServiceAsync("default", labelSelector: "app,app!=b", cancellationToken: Ct);
        Assert.Equal(["a"], notB.Items.Select(s => s.Metadata.Name));
        var bad = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ListNamespacedServiceAsync("default", labelSelector: "app in (", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Response.StatusCode);
    }

    [Fact]
    public async Task ClusterScoped_NodeAndStatus_Work()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNodeAsync(
            new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" }, Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.0.0.1" }] } },
            cancellationToken: Ct);
        var status = await server.Client.CoreV1.PatchNodeStatusAsync(
            new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""", V1Patch.PatchType.StrategicMergePatch), "node-a", cancellationToken: Ct);
        Assert.Equal("True", status.Status.Conditions.Single().Status);
        var nodes = await server.Client.CoreV1.ListNodeAsync(cancellationToken: Ct);
        Assert.Equal("10.0.0.1", nodes.Items.Single().Status.Addresses.Single().Address);
    }

    [Fact]
    public async Task Deployment_Generation_BumpsOnSpecChangeOnly()
    {
        await using var server = await TestApiServer.StartAsync();
        var d = await server.Client.AppsV1.CreateNamespacedDeploymentAsync(
            new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = "d" },
                Spec = new V1DeploymentSpec
                {
                    Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "d" } },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "d" } },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] },
                    },
                },
            },
            "default",
            cancellationToken: Ct);
        Assert.Equal(1, d.Metadata.Generation);
        var scaled = await server.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "d", "default", cancellationToken: Ct);
        Assert.Equal(2, scaled.Metadata.Generation);
        var status = await server.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "d", "default", cancellationToken: Ct);
        Assert.Equal(2, status.Metadata.Generation);
    }

    [Fact]
    public async Task DeleteNamespace_RemovesContentThenNamespace()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } }, cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("held", "a/one"), "team", cancellationToken: Ct);
        await server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "team", cancellationToken: Ct);
        await server.Client.CoreV1.DeleteNamespaceAsync("team", cancellationToken: Ct);

        var ns = await server.Client.CoreV1.ReadNamespaceAsync("team", cancellationToken: Ct);
        Assert.Equal("Terminating", ns.Status.Phase);
        Assert.Empty((await server.Client.CoreV1.ListNamespacedConfigMapAsync("team", cancellationToken: Ct)).Items);
        var blocked = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "d" } }, "team", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, blocked.Response.StatusCode);

        await server.Client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", "team", cancellationToken: Ct);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ReadNamespaceAsync("team", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);

        var protectedNs = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.DeleteNamespaceAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, protectedNs.Response.StatusCode);
    }

    [Fact]
    public async Task Events_BothApis_AreViewsOfOneStorage()
    {
        await using var server = await TestApiServer.StartAsync();
        var v1 = await server.Client.EventsV1.CreateNamespacedEventAsync(
            new Eventsv1Event
            {
                Metadata = new V1ObjectMeta { Name = "from-v1" },
                EventTime = DateTime.UtcNow,
                ReportingController = "ferry.example/controller",
                ReportingInstance = "ferry-1",
                Action = "Ensure",
                Reason = "EnsuringLoadBalancer",
                Note = "Ensuring load balancer",
                Type = "Normal",
                Regarding = new V1ObjectReference { Kind = "Service", Name = "web", NamespaceProperty = "default", Uid = "u-1" },
            },
            "default",
            cancellationToken: Ct);
        Assert.Equal("Ensuring load balancer", v1.Note);

        var core = await server.Client.CoreV1.ReadNamespacedEventAsync("from-v1", "default", cancellationToken: Ct);
        Assert.Equal("Ensuring load balancer", core.Message);
        Assert.Equal("web", core.InvolvedObject.Name);
        Assert.Equal("ferry.example/controller", core.ReportingComponent);
        var byUid = await server.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.uid=u-1,involvedObject.kind=Service", cancellationToken: Ct);
        Assert.Equal(["from-v1"], byUid.Items.Select(e => e.Metadata.Name));

        await server.Client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event { Metadata = new V1ObjectMeta { Name = "from-core" }, InvolvedObject = new V1ObjectReference { Kind = "Service", Name = "web" }, Message = "m", Reason = "R", Count = 3 },
            "default",
            cancellationToken: Ct);
        var list = await server.Client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=web", cancellationToken: Ct);
        Assert.Equal(["from-core", "from-v1"], list.Items.Select(e => e.Metadata.Name).Order(StringComparer.Ordinal));
        var converted = list.Items.Single(e => e.Metadata.Name == "from-core");
        Assert.Equal("m", converted.Note);
        Assert.Equal(3, converted.DeprecatedCount);

        var patched = await server.Client.EventsV1.PatchNamespacedEventAsync(new V1Patch("""{"note":"changed"}""", V1Patch.PatchType.MergePatch), "from-core", "default", cancellationToken: Ct);
        Assert.Equal("changed", patched.Note);
        Assert.Equal("changed", (await server.Client.CoreV1.ReadNamespacedEventAsync("from-core", "default", cancellationToken: Ct)).Message);
    }

    [Fact]
    public async Task StatusPatch_StrategicMerge_AddsAndRemovesFinalizerAsTheServiceControllerDoes()
    {
        await using var server = await TestApiServer.StartAsync();
        await server.Client.CoreV1.CreateNamespacedServiceAsync(Service("ctl"), "default", cancellationToken: Ct);
        var added = await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"metadata":{"finalizers":["service.kubernetes.io/load-balancer-cleanup"]}}""", V1Patch.PatchType.StrategicMergePatch), "ctl", "default", cancellationToken: Ct);
        Assert.Equal(["service.kubernetes.io/load-balancer-cleanup"], added.Metadata.Finalizers);

        var withIngress = await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.7"}]}}}""", V1Patch.PatchType.StrategicMergePatch), "ctl", "default", cancellationToken: Ct);
        Assert.Equal("VIP", withIngress.Status.LoadBalancer.Ingress.Single().IpMode);

        await server.Client.CoreV1.DeleteNamespacedServiceAsync("ctl", "default", cancellationToken: Ct);
        var removed = await server.Client.CoreV1.PatchNamespacedServiceStatusAsync(
            new V1Patch("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["service.kubernetes.io/load-balancer-cleanup"]}}""", V1Patch.PatchType.StrategicMergePatch), "ctl", "default", cancellationToken: Ct);
        Assert.NotNull(removed.Metadata.DeletionTimestamp);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => server.Client.CoreV1.ReadNamespacedServiceAsync("ctl", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }
}
