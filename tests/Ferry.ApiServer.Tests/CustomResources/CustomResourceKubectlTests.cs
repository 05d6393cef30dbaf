using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests.CustomResources;

/// <summary>CustomResourceDefinitions through the real kubectl: discovery appears and goes, the resources behave as on a cluster.</summary>
public class CustomResourceKubectlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApplyDefinition_ResourcesAppearInDiscovery_AndWorkThroughKubectl_ThenGoWithTheDefinition()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);

        var before = await kubectl.RunAsync("get widgets");
        Assert.NotEqual(0, before.ExitCode);
        Assert.Contains("the server doesn't have a resource type \"widgets\"", before.StdErr, StringComparison.Ordinal);

        var apply = await kubectl.RunAsync("apply -f -", WidgetDefinition.Yaml());
        Assert.True(apply.ExitCode == 0, apply.StdErr);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created", apply.StdOut, StringComparison.Ordinal);
        var wait = await kubectl.RunAsync("wait --for condition=established --timeout=30s crd/widgets.example.com");
        Assert.True(wait.ExitCode == 0, wait.StdErr);
        var crds = await kubectl.RunAsync("get crd");
        Assert.Matches(@"(?m)^NAME\s+CREATED AT$", crds.StdOut);
        Assert.Matches(@"(?m)^widgets\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", crds.StdOut);

        var resources = await kubectl.RunAsync("api-resources --api-group=example.com");
        Assert.True(resources.ExitCode == 0, resources.StdErr);
        Assert.Matches(@"(?m)^widgets\s+wd\s+example\.com/v1\s+true\s+Widget$", resources.StdOut);
        var versions = await kubectl.RunAsync("api-versions");
        Assert.Contains("example.com/v1\n", versions.StdOut, StringComparison.Ordinal);
        Assert.Contains("example.com/v1beta1\n", versions.StdOut, StringComparison.Ordinal);

        var created = await kubectl.RunAsync("apply -f -", WidgetDefinition.Widget("w1", 3));
        Assert.True(created.ExitCode == 0, created.StdErr);
        Assert.Contains("widget.example.com/w1 created", created.StdOut, StringComparison.Ordinal);
        var table = await kubectl.RunAsync("get widgets");
        Assert.True(table.ExitCode == 0, table.StdErr);
        Assert.Matches(@"(?m)^NAME\s+SIZE\s+AGE$", table.StdOut);
        Assert.Matches(@"(?m)^w1\s+3\s+\d+s$", table.StdOut);
        var all = await kubectl.RunAsync("get all");
        Assert.Matches(@"(?m)^widget\.example\.com/w1\s+3\s+\d+s$", all.StdOut);
        var describe = await kubectl.RunAsync("describe widget w1");
        Assert.True(describe.ExitCode == 0, describe.StdErr);
        Assert.Matches(@"(?m)^Kind:\s+Widget$", describe.StdOut);
        Assert.Matches(@"(?m)^\s+Size:\s+3$", describe.StdOut);
        var byShortName = await kubectl.RunAsync("get wd w1 -o jsonpath={.spec.size}");
        Assert.Equal("3", byShortName.StdOut);
        // The same object through the other served version: only apiVersion differs.
        var beta = JsonNode.Parse((await kubectl.RunAsync("get widgets.v1beta1.example.com w1 -o json")).StdOut)!;
        Assert.Equal("example.com/v1beta1", (string?)beta["apiVersion"]);
        Assert.Equal(3, (int?)beta["spec"]?["size"]);

        var merge = await kubectl.RunAsync("patch widget w1 --type=merge -p '{\"spec\":{\"size\":4}}'");
        Assert.True(merge.ExitCode == 0, merge.StdErr);
        var json = await kubectl.RunAsync("patch widget w1 --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":5}]'");
        Assert.True(json.ExitCode == 0, json.StdErr);
        Assert.Equal("5", (await kubectl.RunAsync("get widget w1 -o jsonpath={.spec.size}")).StdOut);
        var strategic = await kubectl.RunAsync("patch widget w1 -p '{\"spec\":{\"size\":6}}'");
        Assert.NotEqual(0, strategic.ExitCode);
        Assert.Contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", strategic.StdErr, StringComparison.Ordinal);
        var ssa = await kubectl.RunAsync("apply --server-side -f -", WidgetDefinition.Widget("w2", 2));
        Assert.True(ssa.ExitCode == 0, ssa.StdErr);
        Assert.Contains("widget.example.com/w2 serverside-applied", ssa.StdOut, StringComparison.Ordinal);
        var generation = await kubectl.RunAsync("get widget w1 -o jsonpath={.metadata.generation}");
        Assert.Equal("3", generation.StdOut);

        var delete = await kubectl.RunAsync("delete crd widgets.example.com");
        Assert.True(delete.ExitCode == 0, delete.StdErr);
        // A kubectl with a fresh discovery cache (the first one's cache still names widgets, as it would on a cluster).
        using var fresh = new Kubectl(server.Handle.KubeconfigPath);
        var after = await fresh.RunAsync("get widgets");
        Assert.NotEqual(0, after.ExitCode);
        Assert.Contains("the server doesn't have a resource type \"widgets\"", after.StdErr, StringComparison.Ordinal);
        var versionsAfter = await fresh.RunAsync("api-versions");
        Assert.DoesNotContain("example.com/", versionsAfter.StdOut, StringComparison.Ordinal);

        // Defined again: the old objects went with the old definition.
        Assert.Equal(0, (await kubectl.RunAsync("apply -f -", WidgetDefinition.Yaml())).ExitCode);
        var empty = await kubectl.RunAsync("get widgets");
        Assert.True(empty.ExitCode == 0, empty.StdErr);
        Assert.Contains("No resources found in default namespace.", empty.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterScopedDefinition_ObjectsHaveNoNamespace_AndSurviveARestart()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        var dir = TestApiServer.NewDataDirectory();
        try
        {
            await using (var server = await TestApiServer.StartAsync(dir))
            {
                using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
                Assert.Equal(0, (await kubectl.RunAsync("apply -f -", WidgetDefinition.Yaml("Cluster"))).ExitCode);
                var created = await kubectl.RunAsync("apply -f -", WidgetDefinition.Widget("w1", 3));
                Assert.True(created.ExitCode == 0, created.StdErr);
                var resources = await kubectl.RunAsync("api-resources --api-group=example.com --namespaced=false -o name");
                Assert.Equal("widgets.example.com", resources.StdOut.Trim());
            }

            await using var restarted = await TestApiServer.StartAsync(dir);
            using var again = new Kubectl(restarted.Handle.KubeconfigPath);
            var get = await again.RunAsync("get widget w1 -o json");
            Assert.True(get.ExitCode == 0, get.StdErr);
            var widget = JsonNode.Parse(get.StdOut)!;
            Assert.Null(widget["metadata"]?["namespace"]);
            Assert.Equal(3, (int?)widget["spec"]?["size"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Schema_ValidatesWithUpstreamErrors_Defaults_AndPrunesUnknownFields()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        Assert.Equal(0, (await kubectl.RunAsync("apply -f -", WidgetDefinition.Yaml())).ExitCode);

        var invalid = await kubectl.RunAsync("apply -f -", """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: bad
            spec:
              size: 11
              color: purple
              tags: [a, b, c]
            """);
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("The Widget \"bad\" is invalid: ", invalid.StdErr, StringComparison.Ordinal);
        Assert.Contains("spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10", invalid.StdErr, StringComparison.Ordinal);
        Assert.Contains("spec.color: Unsupported value: \"purple\": supported values: \"red\", \"green\", \"blue\"", invalid.StdErr, StringComparison.Ordinal);
        Assert.Contains("spec.tags: Too many: 3: must have at most 2 items", invalid.StdErr, StringComparison.Ordinal);

        var missing = await kubectl.RunAsync("apply -f -", """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: empty
            spec:
              color: red
            """);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("The Widget \"empty\" is invalid: spec.size: Required value", missing.StdErr, StringComparison.Ordinal);

        var wrongType = await kubectl.RunAsync("apply -f -", WidgetDefinition.Widget("typed", 1).Replace("size: 1", "size: \"one\"", StringComparison.Ordinal));
        Assert.NotEqual(0, wrongType.ExitCode);
        Assert.Contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"", wrongType.StdErr, StringComparison.Ordinal);

        // Unknown fields: kubectl asks for Strict, so they are refused; with --validate=false they are pruned silently.
        var unknown = WidgetDefinition.Widget("w1", 2) + "  bogus: 1\n";
        var strict = await kubectl.RunAsync("apply -f -", unknown);
        Assert.NotEqual(0, strict.ExitCode);
        Assert.Contains("unknown field \"spec.bogus\"", strict.StdErr, StringComparison.Ordinal);
        var lenient = await kubectl.RunAsync("apply --validate=false -f -", unknown);
        Assert.True(lenient.ExitCode == 0, lenient.StdErr);
        var stored = JsonNode.Parse((await kubectl.RunAsync("get widget w1 -o json")).StdOut)!;
        Assert.Null(stored["spec"]?["bogus"]);
        // Defaulted from the schema.
        Assert.Equal("green", (string?)stored["spec"]?["color"]);
        Assert.Empty((await kubectl.RunAsync("get widgets -o name")).StdErr);
    }

    [Fact]
    public async Task DefinitionWithANonStructuralSchema_IsRefusedWithTheFieldPath_AndNothingIsServed()
    {
        Assert.SkipWhen(!Kubectl.Available, Kubectl.SkipReason ?? string.Empty);
        await using var server = await TestApiServer.StartAsync();
        using var kubectl = new Kubectl(server.Handle.KubeconfigPath);
        // The v1 schema's spec.size loses its type (only x-kubernetes-preserve-unknown-fields or int-or-string may go without).
        var yaml = System.Text.RegularExpressions.Regex.Replace(WidgetDefinition.Yaml(), @"(size:\n\s+)type: integer\n\s+", "$1");
        Assert.NotEqual(WidgetDefinition.Yaml(), yaml);

        var apply = await kubectl.RunAsync("apply -f -", yaml);

        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("The CustomResourceDefinition \"widgets.example.com\" is invalid: spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields", apply.StdErr, StringComparison.Ordinal);
        var crds = await kubectl.RunAsync("get crd");
        Assert.Contains("No resources found", crds.StdErr, StringComparison.Ordinal);
        var resources = await kubectl.RunAsync("api-resources --api-group=example.com");
        Assert.DoesNotContain("widgets", resources.StdOut, StringComparison.Ordinal);
    }
}
