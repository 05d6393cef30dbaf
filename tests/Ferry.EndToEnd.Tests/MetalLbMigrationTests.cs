using System.Diagnostics;
using System.Net;
using Ferry.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ferry.EndToEnd.Tests;

/// <summary>
/// docs/migrating-from-metallb.md, automated: MetalLB's own manifests (its definitions, trimmed to what Ferry reads,
/// an IPAddressPool and an L2Advertisement as MetalLB's documentation writes them) applied with kubectl to
/// <c>ferry up</c>, and Services annotated the MetalLB way get their addresses and carry traffic.
/// </summary>
public class MetalLbMigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>MetalLB's definitions of the two kinds (v1beta1), with their schemas cut down to an open spec.</summary>
    private const string Definitions = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: ipaddresspools.metallb.io
        spec:
          group: metallb.io
          names: {kind: IPAddressPool, listKind: IPAddressPoolList, plural: ipaddresspools, singular: ipaddresspool}
          scope: Namespaced
          versions:
          - name: v1beta1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  status: {type: object, x-kubernetes-preserve-unknown-fields: true}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: l2advertisements.metallb.io
        spec:
          group: metallb.io
          names: {kind: L2Advertisement, listKind: L2AdvertisementList, plural: l2advertisements, singular: l2advertisement}
          scope: Namespaced
          versions:
          - name: v1beta1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    [Fact]
    public async Task MetalLbPoolAndAnnotations_AsMetalLbDocumentsThem_GiveServicesTheirAddresses()
    {
        Assert.SkipUnless(InstalledTools.HasKubectl, InstalledTools.NoKubectl);
        var prefix = Addresses.RandomPrefix();
        var directory = Directory.CreateTempSubdirectory("ferry-e2e-").FullName;
        await using var backend = new GreetingBackend("metallb");
        try
        {
            await using var ferry = await LocalFerry.StartAsync(
                new LocalFerryOptions
                {
                    DataDirectory = directory,
                    ApiListen = new IPEndPoint(IPAddress.Loopback, 0),
                    Pools = [],
                    AbsentResourceRetry = TimeSpan.FromMilliseconds(500),
                },
                NullLoggerFactory.Instance,
                Ct);
            var api = new ClusterApi(ferry.Client);
            await KubectlAsync(ferry.KubeconfigPath, Definitions);
            await KubectlAsync(ferry.KubeconfigPath, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metallb-system\n");
            await KubectlAsync(ferry.KubeconfigPath, $"""
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata:
                  name: first-pool
                  namespace: metallb-system
                spec:
                  addresses:
                  - {prefix}240-{prefix}250
                ---
                apiVersion: metallb.io/v1beta1
                kind: IPAddressPool
                metadata:
                  name: reserved
                  namespace: metallb-system
                spec:
                  addresses:
                  - {prefix}100-{prefix}110
                  autoAssign: false
                ---
                apiVersion: metallb.io/v1beta1
                kind: L2Advertisement
                metadata:
                  name: example
                  namespace: metallb-system
                """);

            // Auto-assigned from the pool MetalLB would use, and served.
            await api.CreateServiceAsync("auto", 80);
            await api.CreateEndpointSlicesAsync("auto", backend.EndPoint);
            var auto = await api.WaitForIpAsync("auto");
            Assert.Equal(prefix + "240", auto);
            Assert.Equal("metallb", await GreetingBackend.ReadUntilAsync(new IPEndPoint(IPAddress.Parse(auto), 80), "metallb"));

            // MetalLB's annotations, both spellings: a pool that is not auto-assigned, a requested address, a shared one.
            await api.CreateServiceAsync("from-pool", 80, s => s.Metadata.Annotations = new Dictionary<string, string> { ["metallb.universe.tf/address-pool"] = "reserved" });
            Assert.Equal(prefix + "100", await api.WaitForIpAsync("from-pool"));
            await api.CreateServiceAsync("requested", 80, s => s.Metadata.Annotations = new Dictionary<string, string>
            {
                ["metallb.io/loadBalancerIPs"] = prefix + "245",
                ["metallb.io/allow-shared-ip"] = "web",
            });
            Assert.Equal(prefix + "245", await api.WaitForIpAsync("requested"));
            await api.CreateServiceAsync("shared", 443, s => s.Metadata.Annotations = new Dictionary<string, string>
            {
                ["metallb.universe.tf/loadBalancerIPs"] = prefix + "245",
                ["metallb.universe.tf/allow-shared-ip"] = "web",
            });
            Assert.Equal(prefix + "245", await api.WaitForIpAsync("shared"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task KubectlAsync(string kubeconfig, string manifest)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "apply", "-f", "-", "--kubeconfig", kubeconfig })
        {
            info.ArgumentList.Add(arg);
        }

        var home = Directory.CreateTempSubdirectory("ferry-kubectl-").FullName;
        info.Environment["HOME"] = home;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(manifest);
        process.StandardInput.Close();
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Directory.Delete(home, recursive: true);
        Assert.True(process.ExitCode == 0, errors);
    }
}
