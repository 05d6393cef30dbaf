using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Tests.Patching;

namespace Ferry.ApiServer.Tests.Admission;

public class NamespaceDefaulterTests
{
    [Theory]
    [InlineData("bare namespace", """{"metadata":{"name":"team-a"}}""",
        """{"metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"team-a"}},"status":{"phase":"Active"}}""")]
    [InlineData("wrong name label is corrected", """{"metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"x","a":"b"}},"status":{"phase":"Terminating"}}""",
        """{"metadata":{"name":"team-a","labels":{"kubernetes.io/metadata.name":"team-a","a":"b"}},"status":{"phase":"Terminating"}}""")]
    public void ApplyDefaults_Table(string description, string input, string expected)
    {
        var ns = ServiceJson.Parse(input);
        NamespaceDefaulter.ApplyDefaults(ns);
        PatchAssert.JsonEqual(expected, ns, description);
    }

    [Theory]
    [InlineData("Namespace", "team.a", 1)]
    [InlineData("Namespace", "team-a", 0)]
    [InlineData("ConfigMap", "my.config", 0)]
    [InlineData("ConfigMap", "My.Config", 1)]
    [InlineData("Service", "my.svc", 1)]
    public void ObjectMetaValidator_NameRuleFor_PicksKindRule(string kind, string name, int errors)
    {
        var obj = ServiceJson.Parse($$$"""{"metadata":{"name":"{{{name}}}","namespace":"default"}}""");
        var namespaced = kind != "Namespace";
        if (!namespaced)
        {
            obj["metadata"]!.AsObject().Remove("namespace");
        }

        Assert.Equal(errors, ObjectMetaValidator.Validate(obj, namespaced, ObjectMetaValidator.NameRuleFor(kind)).Count);
    }

    [Fact]
    public void ObjectMetaValidator_GenerateNameWithTrailingDash_IsValid()
    {
        var obj = ServiceJson.Parse("""{"metadata":{"generateName":"web-","name":"web-x7k2q","namespace":"default"}}""");
        Assert.Empty(ObjectMetaValidator.Validate(obj, true, ObjectMetaValidator.NameRuleFor("Pod")));
    }

    [Fact]
    public void ObjectMetaValidator_ClusterScopedWithNamespace_Forbidden()
    {
        var obj = ServiceJson.Parse("""{"metadata":{"name":"node-1","namespace":"default"}}""");
        Assert.Equal(["metadata.namespace: Forbidden: not allowed on this type"],
            ObjectMetaValidator.Validate(obj, false, ObjectMetaValidator.NameRuleFor("Node")).Select(e => e.ToString()));
    }

    [Fact]
    public void ObjectMetaValidator_ValidateUpdate_NameImmutable()
    {
        var old = ServiceJson.Parse("""{"metadata":{"name":"a","namespace":"default","uid":"1"}}""");
        var updated = ServiceJson.Parse("""{"metadata":{"name":"b","namespace":"default","uid":"1"}}""");
        Assert.Equal(["metadata.name: Invalid value: \"b\": field is immutable"], ObjectMetaValidator.ValidateUpdate(updated, old).Select(e => e.ToString()));
    }
}
