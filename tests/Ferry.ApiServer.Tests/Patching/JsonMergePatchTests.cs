using Ferry.ApiServer.Patching;
using static Ferry.ApiServer.Tests.Patching.PatchAssert;

namespace Ferry.ApiServer.Tests.Patching;

public class JsonMergePatchTests
{
    // The RFC 7386 appendix A table plus Kubernetes-flavoured cases.
    [Theory]
    [InlineData("replace scalar", """{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("add key", """{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("null deletes", """{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("null deletes one of two", """{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("array replaced", """{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("scalar replaced by array", """{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("nested merge with delete", """{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("arrays never merge", """{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("non-object patch replaces", """["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("object over array", """["a"]""", """{"a":"b"}""", """{"a":"b"}""")]
    [InlineData("nulls inside new subtree dropped", """{"e":null}""", """{"a":1,"b":{"c":null}}""", """{"e":null,"a":1,"b":{}}""")]
    [InlineData("empty patch", """{"a":"b"}""", """{}""", """{"a":"b"}""")]
    [InlineData("label removal", """{"metadata":{"labels":{"a":"1","b":"2"}}}""", """{"metadata":{"labels":{"a":null}}}""", """{"metadata":{"labels":{"b":"2"}}}""")]
    public void Apply_Table(string description, string target, string patch, string expected)
    {
        JsonEqual(expected, JsonMergePatch.Apply(Json(target), Json(patch)), description);
    }

    [Fact]
    public void Apply_NullTarget_BuildsFromPatch()
    {
        JsonEqual("""{"a":{"b":1}}""", JsonMergePatch.Apply(null, Json("""{"a":{"b":1,"c":null}}""")));
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var target = Json("""{"a":{"b":1}}""");
        var patch = Json("""{"a":{"b":2}}""");
        var result = JsonMergePatch.Apply(target, patch)!;
        result["a"]!["b"] = 3;
        JsonEqual("""{"a":{"b":1}}""", target);
        JsonEqual("""{"a":{"b":2}}""", patch);
    }
}
