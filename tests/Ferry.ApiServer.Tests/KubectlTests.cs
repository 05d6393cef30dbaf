using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Ferry.ApiServer.Tests;

/// <summary>The seed walkthrough and common commands through the real kubectl.</summary>
public class KubectlTests
{
    [Fact]
    public async Task SeedCommands_CreateExposeGetDescribe_WorkAsOnACluster()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);

        var create = await kubectl.RunAsync("create deployment example --image=example");
        Assert.True(create.ExitCode == 0, create.StdErr);
        Assert.Contains("deployment.apps/example created", create.StdOut, StringComparison.Ordinal);

        var expose = await kubectl.RunAsync("expose deployment example --port=8765 --target-port=9376 --name=example-service --type=LoadBalancer");
        Assert.True(expose.ExitCode == 0, expose.StdErr);
        Assert.Contains("service/example-service exposed", expose.StdOut, StringComparison.Ordinal);

        var get = await kubectl.RunAsync("get svc");
        Assert.True(get.ExitCode == 0, get.StdErr);
        var lines = get.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$", lines[0]);
        var row = lines.Single(l => l.StartsWith("example-service", StringComparison.Ordinal));
        Assert.Matches(@"^example-service\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+<pending>\s+8765:3\d{4}/TCP\s+\d+s$", row);

        var wide = await kubectl.RunAsync("get svc example-service -o wide");
        Assert.Matches(@"SELECTOR", wide.StdOut);
        Assert.Matches(@"app=example", wide.StdOut);

        var describe = await kubectl.RunAsync("describe services example-service");
        Assert.True(describe.ExitCode == 0, describe.StdErr);
        Assert.Matches(@"Name:\s+example-service", describe.StdOut);
        Assert.Matches(@"Namespace:\s+default", describe.StdOut);
        Assert.Matches(@"Selector:\s+app=example", describe.StdOut);
        Assert.Matches(@"Type:\s+LoadBalancer", describe.StdOut);
        Assert.Matches(@"Port:\s+<unset>\s+8765/TCP", describe.StdOut);
        Assert.Matches(@"TargetPort:\s+9376/TCP", describe.StdOut);
        Assert.Matches(@"NodePort:\s+<unset>\s+3\d{4}/TCP", describe.StdOut);
        Assert.Matches(@"IP Families:\s+IPv4", describe.StdOut);
        Assert.Matches(@"External Traffic Policy:\s+Cluster", describe.StdOut);
        Assert.Matches(@"Endpoints:\s+<none>", describe.StdOut);
        Assert.Matches(@"Events:\s+<none>", describe.StdOut);
    }

    [Fact]
    public async Task Describe_WithCoreEvent_ShowsTheEvent()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        var svc = await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "web" },
                Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] },
            },
            "default",
            cancellationToken: ct);
        await server.Client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { GenerateName = "web-" },
                InvolvedObject = new V1ObjectReference { ApiVersion = "v1", Kind = "Service", Name = "web", NamespaceProperty = "default", Uid = svc.Metadata.Uid },
                Reason = "EnsuringLoadBalancer",
                Message = "Ensuring load balancer",
                Type = "Normal",
                Source = new V1EventSource { Component = "service-controller" },
                FirstTimestamp = DateTime.UtcNow,
                LastTimestamp = DateTime.UtcNow,
                Count = 1,
            },
            "default",
            cancellationToken: ct);

        var describe = await kubectl.RunAsync("describe svc web");
        Assert.True(describe.ExitCode == 0, describe.StdErr);
        Assert.Matches(@"Normal\s+EnsuringLoadBalancer\s+\S+\s+service-controller\s+Ensuring load balancer", describe.StdOut);

        var events = await kubectl.RunAsync("get events");
        Assert.True(events.ExitCode == 0, events.StdErr);
        Assert.Matches(@"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", events.StdOut);
        Assert.Matches(@"Normal\s+EnsuringLoadBalancer\s+service/web\s+Ensuring load balancer", events.StdOut);
    }

    [Fact]
    public async Task ApplyPatchEdit_ServiceManifest_UpdatesInPlace()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        const string Manifest = """
            apiVersion: v1
            kind: Service
            metadata:
              name: example-service
              labels:
                app: example
            spec:
              type: LoadBalancer
              externalTrafficPolicy: Local
              selector:
                app: example
              ports:
              - port: 8765
                targetPort: 9376
            """;
        var apply = await kubectl.RunAsync("apply -f -", Manifest);
        Assert.True(apply.ExitCode == 0, apply.StdErr);
        Assert.Contains("service/example-service created", apply.StdOut, StringComparison.Ordinal);

        var reapply = await kubectl.RunAsync("apply -f -", Manifest.Replace("8765", "8766", StringComparison.Ordinal));
        Assert.True(reapply.ExitCode == 0, reapply.StdErr);
        Assert.Contains("service/example-service configured", reapply.StdOut, StringComparison.Ordinal);
        var svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("example-service", "default", cancellationToken: ct);
        Assert.Equal([8766], svc.Spec.Ports.Select(p => p.Port));
        Assert.InRange(svc.Spec.HealthCheckNodePort ?? 0, 30000, 32767);

        var patch = await kubectl.RunAsync("patch svc example-service -p '{\"metadata\":{\"annotations\":{\"probe\":\"3\"}}}'");
        Assert.True(patch.ExitCode == 0, patch.StdErr);
        var merge = await kubectl.RunAsync("patch svc example-service --type=merge -p '{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}'");
        Assert.True(merge.ExitCode == 0, merge.StdErr);
        var json = await kubectl.RunAsync("patch svc example-service --type=json -p '[{\"op\":\"add\",\"path\":\"/metadata/labels/extra\",\"value\":\"1\"}]'");
        Assert.True(json.ExitCode == 0, json.StdErr);
        svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("example-service", "default", cancellationToken: ct);
        Assert.Equal("3", svc.Metadata.Annotations["probe"]);
        Assert.Equal("web", svc.Metadata.Labels["tier"]);
        Assert.Equal("1", svc.Metadata.Labels["extra"]);
        Assert.Equal("example", svc.Metadata.Labels["app"]);

        var serverSide = await kubectl.RunAsync("apply --server-side -f -", Manifest.Replace("8765", "8766", StringComparison.Ordinal).Replace("tier: web", string.Empty, StringComparison.Ordinal));
        Assert.True(serverSide.ExitCode == 0, serverSide.StdErr);
        Assert.Contains("serverside-applied", serverSide.StdOut, StringComparison.Ordinal);
        svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("example-service", "default", cancellationToken: ct);
        Assert.Equal([8766], svc.Spec.Ports.Select(p => p.Port));
        Assert.Contains(svc.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply");
    }

    [Fact]
    public async Task Delete_WithFinalizer_WaitsUntilAnotherClientRemovesIt()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "held", Finalizers = ["service.kubernetes.io/load-balancer-cleanup"] },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
            },
            "default",
            cancellationToken: ct);

        using var delete = kubectl.Start("delete svc held --timeout=30s");
        V1Service? marked = null;
        for (var i = 0; i < 100 && marked?.Metadata.DeletionTimestamp is null; i++)
        {
            await Task.Delay(100, ct);
            marked = await server.Client.CoreV1.ReadNamespacedServiceAsync("held", "default", cancellationToken: ct);
        }

        Assert.NotNull(marked?.Metadata.DeletionTimestamp);
        Assert.False(delete.HasExited, "kubectl delete must wait while a finalizer remains");

        await server.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""[{"op":"remove","path":"/metadata/finalizers"}]""", V1Patch.PatchType.JsonPatch), "held", "default", cancellationToken: ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        await delete.WaitForExitAsync(cts.Token);
        Assert.Equal(0, delete.ExitCode);
        Assert.Contains("service \"held\" deleted", await delete.StandardOutput.ReadToEndAsync(ct), StringComparison.Ordinal);
        var list = await server.Client.CoreV1.ListNamespacedServiceAsync("default", cancellationToken: ct);
        Assert.DoesNotContain(list.Items, s => s.Metadata.Name == "held");
    }

    [Fact]
    public async Task GetWatch_ServiceChanges_PrintsRowsUntilTimeout()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "first" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } },
            "default",
            cancellationToken: ct);

        using var watch = kubectl.Start("get svc -w --request-timeout=4s");
        await Task.Delay(1500, ct);
        await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "second" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 81 }] } },
            "default",
            cancellationToken: ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var output = await watch.StandardOutput.ReadToEndAsync(cts.Token);
        await watch.WaitForExitAsync(cts.Token);
        Assert.Matches(new Regex("^NAME\\s+TYPE", RegexOptions.Multiline), output);
        Assert.Matches(new Regex("^first\\s+ClusterIP", RegexOptions.Multiline), output);
        Assert.Matches(new Regex("^second\\s+ClusterIP", RegexOptions.Multiline), output);
    }

    [Fact]
    public async Task TypedCreates_SentAsProtobuf_AreDecoded()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        foreach (var command in new[]
        {
            "create namespace team",
            "create configmap cfg -n team --from-literal=a=b --from-literal=c=d",
            "create service loadbalancer lb -n team --tcp=80:8080 --tcp=443:8443",
            "create deployment web -n team --image=nginx --replicas=3 --port=80",
        })
        {
            var result = await kubectl.RunAsync(command);
            Assert.True(result.ExitCode == 0, command + ": " + result.StdErr);
        }

        var cm = await server.Client.CoreV1.ReadNamespacedConfigMapAsync("cfg", "team", cancellationToken: ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "b", ["c"] = "d" }, cm.Data);
        var svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("lb", "team", cancellationToken: ct);
        Assert.Equal("LoadBalancer", svc.Spec.Type);
        Assert.Equal([80, 443], svc.Spec.Ports.Select(p => p.Port));
        Assert.Equal(["8080", "8443"], svc.Spec.Ports.Select(p => p.TargetPort.Value));
        Assert.Equal(["80-8080", "443-8443"], svc.Spec.Ports.Select(p => p.Name));
        Assert.Equal("lb", svc.Spec.Selector["app"]);
        var deployment = await server.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "team", cancellationToken: ct);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal("nginx", deployment.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(80, deployment.Spec.Template.Spec.Containers.Single().Ports.Single().ContainerPort);
        Assert.Equal("web", deployment.Spec.Selector.MatchLabels["app"]);

        var all = await kubectl.RunAsync("get all -A");
        Assert.True(all.ExitCode == 0, all.StdErr);
        Assert.Contains("service/lb", all.StdOut, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/web", all.StdOut, StringComparison.Ordinal);
        var ns = await kubectl.RunAsync("get ns");
        Assert.Matches(@"team\s+Active", ns.StdOut);
    }

    [Fact]
    public async Task Edit_WithScriptedEditor_SendsStrategicMergePatch()
    {
        Assert.SkipWhen(!Kubectl.Available || OperatingSystem.IsWindows(), Kubectl.SkipReason ?? "needs a POSIX shell editor script");
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        await server.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "ed" }, Spec = new V1ServiceSpec { Type = "LoadBalancer", Ports = [new V1ServicePort { Port = 80 }] } },
            "default",
            cancellationToken: ct);
        var script = Path.Combine(Path.GetTempPath(), "ferry-edit-" + Guid.NewGuid().ToString("N") + ".sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\nsed -i 's/port: 80$/port: 81/' \"$1\"\n", ct);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var edit = await kubectl.RunAsync("edit svc ed", environment: new Dictionary<string, string> { ["KUBE_EDITOR"] = script });
            Assert.True(edit.ExitCode == 0, edit.StdErr);
            Assert.Contains("service/ed edited", edit.StdOut, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }

        var svc = await server.Client.CoreV1.ReadNamespacedServiceAsync("ed", "default", cancellationToken: ct);
        Assert.Equal([81], svc.Spec.Ports.Select(p => p.Port));
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.28")]
    [InlineData("1.29")]
    [InlineData("1.31")]
    [InlineData("1.33")]
    public async Task BundledKubectlVersions_ApplyGetDescribe_Work(string minor)
    {
        var binary = Kubectl.Bundled(minor);
        Assert.SkipWhen(!File.Exists(binary), "kubectl " + minor + " is not installed at " + binary);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath, binary);
        const string Manifest = """
            apiVersion: v1
            kind: Service
            metadata:
              name: versioned
            spec:
              type: LoadBalancer
              selector:
                app: versioned
              ports:
              - port: 80
                targetPort: 8080
            """;
        var apply = await kubectl.RunAsync("apply -f -", Manifest);
        Assert.True(apply.ExitCode == 0, minor + ": " + apply.StdErr);
        var reapply = await kubectl.RunAsync("apply -f -", Manifest.Replace("8080", "8081", StringComparison.Ordinal));
        Assert.True(reapply.ExitCode == 0, minor + ": " + reapply.StdErr);
        Assert.Contains("configured", reapply.StdOut, StringComparison.Ordinal);

        var get = await kubectl.RunAsync("get svc versioned");
        Assert.True(get.ExitCode == 0, minor + ": " + get.StdErr);
        Assert.Matches(@"versioned\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+<pending>\s+80:3\d{4}/TCP", get.StdOut);

        var describe = await kubectl.RunAsync("describe svc versioned");
        Assert.True(describe.ExitCode == 0, minor + ": " + describe.StdErr);
        Assert.Matches(@"TargetPort:\s+8081/TCP", describe.StdOut);

        var delete = await kubectl.RunAsync("delete svc versioned");
        Assert.True(delete.ExitCode == 0, minor + ": " + delete.StdErr);
    }

    [Fact]
    public async Task Get_NodesSlicesDeployments_ShowUpstreamColumns()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        var ct = TestContext.Current.CancellationToken;
        await server.Client.CoreV1.CreateNodeAsync(
            new V1Node
            {
                Metadata = new V1ObjectMeta { Name = "node-a", Labels = new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = string.Empty } },
                Status = new V1NodeStatus
                {
                    Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "10.0.0.11" }],
                    Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
                    NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.0", OsImage = "Debian", KernelVersion = "6.1", ContainerRuntimeVersion = "containerd://2.0", Architecture = "amd64", BootID = "b", MachineID = "m", OperatingSystem = "linux", SystemUUID = "s", KubeProxyVersion = "v1.32.0" },
                },
            },
            cancellationToken: ct);
        await server.Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = "web-abc", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "web" } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = ["10.1.0.1"] }, new V1Endpoint { Addresses = ["10.1.0.2"] }],
                Ports = [new Discoveryv1EndpointPort { Port = 8080, Protocol = "TCP" }],
            },
            "default",
            cancellationToken: ct);

        var nodes = await kubectl.RunAsync("get nodes -o wide");
        Assert.True(nodes.ExitCode == 0, nodes.StdErr);
        Assert.Matches(@"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME", nodes.StdOut);
        Assert.Matches(@"node-a\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0\s+10\.0\.0\.11\s+<none>\s+Debian\s+6\.1\s+containerd://2\.0", nodes.StdOut);

        var slices = await kubectl.RunAsync("get endpointslices -l kubernetes.io/service-name=web");
        Assert.True(slices.ExitCode == 0, slices.StdErr);
        Assert.Matches(@"web-abc\s+IPv4\s+8080\s+10\.1\.0\.1,10\.1\.0\.2", slices.StdOut);

        var create = await kubectl.RunAsync("create deployment web --image=nginx --replicas=2");
        Assert.True(create.ExitCode == 0, create.StdErr);
        var deployments = await kubectl.RunAsync("get deploy -o wide");
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR", deployments.StdOut);
        Assert.Matches(@"web\s+0/2\s+0\s+0\s+\S+\s+nginx\s+nginx\s+app=web", deployments.StdOut);
    }
}
