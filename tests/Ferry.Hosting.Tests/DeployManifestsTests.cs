using Ferry.Configuration.Pools;
using k8s;
using k8s.Models;

namespace Ferry.Hosting.Tests;

/// <summary>The manifests in <c>deploy/</c> parse as Kubernetes objects and agree with what <c>ferry run</c> needs.</summary>
public class DeployManifestsTests
{
    private static readonly string _deploy = Path.Combine(FindRepositoryRoot(), "deploy");

    [Fact]
    public void ConfigMap_PoolsFile_ParsesWithoutErrors()
    {
        var configMap = Single<V1ConfigMap>("20-configmap.yaml");

        var result = AddressPoolsFile.Parse(configMap.Data["pools.yaml"]);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("default", Assert.Single(result.Pools).Name);
    }

    [Fact]
    public void DaemonSet_OneHostNetworkReplicaPerNode_WithNodeNameHeartbeatAddressAndTheCapabilitiesToAnnounce()
    {
        var daemonSet = Single<V1DaemonSet>("30-daemonset.yaml");
        var configMap = Single<V1ConfigMap>("20-configmap.yaml");
        var pod = daemonSet.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.True(pod.HostNetwork);
        Assert.Equal("ferry", pod.ServiceAccountName);
        Assert.Equal(
            ["run", "--in-cluster", "--pools=/etc/ferry/pools.yaml", "--targets=nodes", "--class=unset", "--leader-elect=true", "--identity=$(POD_NAME)", "--node-name=$(NODE_NAME)", "--peer-listen=$(POD_IP):7947"],
            container.Args);
        Assert.Equal("spec.nodeName", container.Env.Single(e => e.Name == "NODE_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.podIP", container.Env.Single(e => e.Name == "POD_IP").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(configMap.Metadata.Name, pod.Volumes.Single(v => v.Name == "pools").ConfigMap.Name);
        Assert.Equal("/etc/ferry", container.VolumeMounts.Single(m => m.Name == "pools").MountPath);
        Assert.Equal(["NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"], container.SecurityContext.Capabilities.Add);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);

        // Added capabilities are effective only for root (no ambient capabilities): root with just these.
        Assert.Equal(0, container.SecurityContext.RunAsUser);
        Assert.Equal(7947, Assert.Single(container.Ports).ContainerPort);
    }

    [Fact]
    public void ConfigMap_PoolIsAnnouncedOnTheLan()
    {
        var configMap = Single<V1ConfigMap>("20-configmap.yaml");

        var result = AddressPoolsFile.Parse(configMap.Data["pools.yaml"]);

        Assert.True(Assert.Single(result.Announcements).IsAnnounced);
    }

    [Fact]
    public void Rbac_GrantsExactlyTheVerbsTheControllerUses()
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(_deploy, "10-rbac.yaml")));
        var clusterRole = Assert.Single(objects.OfType<V1ClusterRole>());
        var role = Assert.Single(objects.OfType<V1Role>());

        var granted = clusterRole.Rules.Concat(role.Rules)
            .SelectMany(r => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{r.ApiGroups.Single()}/{res}:{v}")))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "/events:create", "/events:patch",
                "/nodes:list", "/nodes:watch",
                "/services/status:patch", "/services/status:update",
                "/services:get", "/services:list", "/services:watch",
                "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:delete", "coordination.k8s.io/leases:get", "coordination.k8s.io/leases:list", "coordination.k8s.io/leases:update",
                "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch",
                "ferry.dev/addresspools/status:patch", "ferry.dev/addresspools:list", "ferry.dev/addresspools:patch", "ferry.dev/addresspools:watch",
                "metallb.io/bgpadvertisements:list", "metallb.io/bgpadvertisements:watch", "metallb.io/bgppeers:list", "metallb.io/bgppeers:watch",
                "metallb.io/ipaddresspools:list", "metallb.io/ipaddresspools:watch", "metallb.io/l2advertisements:list", "metallb.io/l2advertisements:watch",
            ],
            granted);
        var serviceAccount = Assert.Single(objects.OfType<V1ServiceAccount>());
        Assert.All(objects.OfType<V1ClusterRoleBinding>().SelectMany(b => b.Subjects).Concat(objects.OfType<V1RoleBinding>().SelectMany(b => b.Subjects)), s => Assert.Equal(serviceAccount.Metadata.Name, s.Name));
    }

    [Fact]
    public void ApplyDashF_EveryFileItReadsIsAKubernetesObject_NamespaceFirst()
    {
        // kubectl apply -f DIR reads .json, .yaml and .yml files in file-name order.
        var files = Directory.GetFiles(_deploy)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
            .Order(StringComparer.Ordinal)
            .ToArray();
        var objects = files.SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f))).ToArray();

        Assert.Equal(4, files.Length);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.IsType<V1Namespace>(objects[0]);
        var ns = ((V1Namespace)objects[0]).Metadata.Name;
        Assert.All(
            objects.OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace and not V1ClusterRole and not V1ClusterRoleBinding),
            o => Assert.Equal(ns, o.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task ApplyDashK_KustomizeBuildsTheSameObjects()
    {
        Assert.SkipUnless(InstalledTools.HasKubectl, InstalledTools.NoKubectl);
        var ct = TestContext.Current.CancellationToken;
        using var kubectl = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("kubectl", ["kustomize", _deploy]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await kubectl.StandardOutput.ReadToEndAsync(ct);
        var errors = await kubectl.StandardError.ReadToEndAsync(ct);
        await kubectl.WaitForExitAsync(ct);
        Assert.True(kubectl.ExitCode == 0, errors);

        static IEnumerable<string> Names(IEnumerable<object> objects) =>
            objects.OfType<IKubernetesObject<V1ObjectMeta>>().Select(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}").Order(StringComparer.Ordinal);
        var built = KubernetesYaml.LoadAllFromString(output);
        var files = Directory.GetFiles(_deploy, "*.yaml").Concat(Directory.GetFiles(Path.Combine(_deploy, "crds"), "*.yaml"))
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)));
        Assert.Equal(Names(files), Names(built));
    }

    private static T Single<T>(string file) =>
        Assert.Single(KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(_deploy, file))).OfType<T>());

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ferry.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Ferry.slnx not found above " + AppContext.BaseDirectory);
    }
}
