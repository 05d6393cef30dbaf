using Ferry.ApiServer.CustomResources.Schema;
using Ferry.ApiServer.Tests.Patching;

namespace Ferry.ApiServer.Tests.CustomResources;

public class SchemaPruningTests
{
    private const string Schema = """
        {"type":"object","properties":{"spec":{"type":"object","properties":{
          "name":{"type":"string"},
          "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
          "labels":{"type":"object","additionalProperties":{"type":"object","properties":{"v":{"type":"string"}}}},
          "raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"nested":{"type":"object","properties":{"a":{"type":"string"}}}}},
          "rawList":{"type":"array","x-kubernetes-preserve-unknown-fields":true,"items":{"type":"object"}},
          "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}}}}
        """;

    [Fact]
    public void Prune_RemovesUnspecifiedFields_ReturnsSortedPaths()
    {
        var obj = CrdJson.Object("""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","unknownMeta":1},"extra":1,
             "spec":{"name":"n","bogus":true,"items":[{"name":"a","extra":1},{"name":"b"}],"labels":{"k":{"v":"x","w":"y"}},
               "raw":{"anything":{"deep":1},"nested":{"a":"x","b":"y"}},"rawList":[{"free":1}],
               "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","x":1},"spec":{"x":1},"status":{}}}}
            """);

        var removed = SchemaPruning.Prune(obj, StructuralSchema.Parse(CrdJson.Object(Schema)));

        Assert.Equal(["extra", "spec.bogus", "spec.items[0].extra", "spec.labels.k.w", "spec.raw.nested.b", "spec.template.spec.x", "spec.template.status"], removed);
        PatchAssert.JsonEqual("""
            {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","unknownMeta":1},
             "spec":{"name":"n","items":[{"name":"a"},{"name":"b"}],"labels":{"k":{"v":"x"}},
               "raw":{"anything":{"deep":1},"nested":{"a":"x"}},"rawList":[{"free":1}],
               "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","x":1},"spec":{}}}}
            """, obj);
    }

    [Fact]
    public void Prune_NothingUnknown_RemovesNothing()
    {
        var obj = CrdJson.Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"name":"n"}}""");
        Assert.Empty(SchemaPruning.Prune(obj, StructuralSchema.Parse(CrdJson.Object(Schema))));
        Assert.Equal("n", (string?)obj["spec"]!["name"]);
    }

    [Fact]
    public void Prune_ObjectWithoutProperties_DropsEveryKey()
    {
        // {type: object} alone prunes everything below it (x-kubernetes-preserve-unknown-fields keeps it).
        var schema = StructuralSchema.Parse(CrdJson.Object("""{"type":"object","properties":{"spec":{"type":"object"}}}"""));
        var obj = CrdJson.Object("""{"spec":{"b":1,"a":{"x":1}}}""");
        Assert.Equal(["spec.a", "spec.b"], SchemaPruning.Prune(obj, schema));
        PatchAssert.JsonEqual("""{"spec":{}}""", obj);
    }

    [Fact]
    public void Prune_PreservingRoot_KeepsUnknownFieldsButPrunesSpecifiedOnes()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object("""
            {"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}}
            """));
        var obj = CrdJson.Object("""{"free":{"x":1},"spec":{"a":"1","b":2}}""");
        Assert.Equal(["spec.b"], SchemaPruning.Prune(obj, schema));
        PatchAssert.JsonEqual("""{"free":{"x":1},"spec":{"a":"1"}}""", obj);
    }
}
