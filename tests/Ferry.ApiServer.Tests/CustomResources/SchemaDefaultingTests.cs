using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Schema;
using Ferry.ApiServer.Tests.Patching;

namespace Ferry.ApiServer.Tests.CustomResources;

public class SchemaDefaultingTests
{
    private const string Schema = """
        {"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
          "replicas":{"type":"integer","default":1},
          "mode":{"type":"string","default":"auto"},
          "ports":{"type":"array","items":{"type":"object","properties":{"protocol":{"type":"string","default":"TCP"}}}},
          "names":{"type":"array","items":{"type":"string","default":"unnamed"}},
          "env":{"type":"object","additionalProperties":{"type":"object","properties":{"value":{"type":"string","default":"v"}}}},
          "optional":{"type":"string"},
          "maybe":{"type":"string","nullable":true},
          "selector":{"type":"object","default":{"matchLabels":{"app":"x"}},"properties":{"matchLabels":{"type":"object","additionalProperties":{"type":"string"}}}}}}}}
        """;

    [Theory]
    [InlineData("{}", """{"spec":{"replicas":1,"mode":"auto","selector":{"matchLabels":{"app":"x"}}}}""")]
    [InlineData("""{"spec":{"replicas":3,"mode":"manual","selector":{}}}""", """{"spec":{"replicas":3,"mode":"manual","selector":{}}}""")]
    [InlineData("""{"spec":{"ports":[{"port":80},{}],"env":{"A":{},"B":{"value":"b"}},"names":[null,"n"]}}""",
        """{"spec":{"replicas":1,"mode":"auto","selector":{"matchLabels":{"app":"x"}},"ports":[{"port":80,"protocol":"TCP"},{"protocol":"TCP"}],"env":{"A":{"value":"v"},"B":{"value":"b"}},"names":["unnamed","n"]}}""")]
    [InlineData("""{"spec":{"replicas":null,"optional":null,"maybe":null}}""", """{"spec":{"replicas":1,"mode":"auto","maybe":null,"selector":{"matchLabels":{"app":"x"}}}}""")]
    public void Apply_Table(string input, string expected)
    {
        var obj = CrdJson.Object(input);
        SchemaDefaulting.Apply(obj, StructuralSchema.Parse(CrdJson.Object(Schema)));
        PatchAssert.JsonEqual(expected, obj);
    }

    [Fact]
    public void Apply_DefaultIsCopied_NotShared()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object(Schema));
        var first = new JsonObject();
        SchemaDefaulting.Apply(first, schema);
        first["spec"]!["selector"]!["matchLabels"]!["app"] = "changed";

        var second = new JsonObject();
        SchemaDefaulting.Apply(second, schema);

        Assert.Equal("x", (string?)second["spec"]!["selector"]!["matchLabels"]!["app"]);
        PatchAssert.JsonEqual("""{"matchLabels":{"app":"x"}}""", schema.Properties["spec"].Properties["selector"].Default);
    }

    [Fact]
    public void Default_LeavesNullsWithoutDefault_PruneNullsRemovesThem()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object(Schema));
        var obj = CrdJson.Object("""{"spec":{"optional":null,"env":{"A":null}}}""");

        SchemaDefaulting.Default(obj, schema);
        Assert.True(obj["spec"]!.AsObject().ContainsKey("optional"));

        SchemaDefaulting.PruneNonNullableNullsWithoutDefaults(obj, schema);
        PatchAssert.JsonEqual("""{"spec":{"replicas":1,"mode":"auto","selector":{"matchLabels":{"app":"x"}},"env":{}}}""", obj);
    }
}
