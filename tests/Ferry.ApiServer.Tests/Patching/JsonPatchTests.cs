using System.Text.Json.Nodes;
using Ferry.ApiServer.Patching;
using static Ferry.ApiServer.Tests.Patching.PatchAssert;

namespace Ferry.ApiServer.Tests.Patching;

public class JsonPatchTests
{
    private const string Doc = """{"foo":"bar","baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""";

    [Theory]
    [InlineData("add member", """[{"op":"add","path":"/new","value":1}]""", """{"foo":"bar","baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]},"new":1}""")]
    [InlineData("add array element at index", """[{"op":"add","path":"/baz/1","value":9}]""", """{"foo":"bar","baz":[1,9,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("add with dash appends", """[{"op":"add","path":"/baz/-","value":4}]""", """{"foo":"bar","baz":[1,2,3,4],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("add at end index", """[{"op":"add","path":"/baz/3","value":4}]""", """{"foo":"bar","baz":[1,2,3,4],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("add replaces existing member", """[{"op":"add","path":"/foo","value":"x"}]""", """{"foo":"x","baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("remove", """[{"op":"remove","path":"/baz/0"},{"op":"remove","path":"/foo"}]""", """{"baz":[2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("replace with ~1 escape", """[{"op":"replace","path":"/a~1b","value":5}]""", """{"foo":"bar","baz":[1,2,3],"a/b":5,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("replace with ~0 escape", """[{"op":"replace","path":"/m~0n","value":7}]""", """{"foo":"bar","baz":[1,2,3],"a/b":1,"m~n":7,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("move", """[{"op":"move","from":"/foo","path":"/spec/foo"}]""", """{"baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}],"foo":"bar"}}""")]
    [InlineData("move array element", """[{"op":"move","from":"/baz/0","path":"/baz/-"}]""", """{"foo":"bar","baz":[2,3,1],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80}]}}""")]
    [InlineData("copy", """[{"op":"copy","from":"/spec/ports/0","path":"/spec/ports/-"}]""", """{"foo":"bar","baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":80},{"port":80}]}}""")]
    [InlineData("test passes then replace", """[{"op":"test","path":"/spec/ports/0/port","value":80.0},{"op":"replace","path":"/spec/ports/0/port","value":81}]""", """{"foo":"bar","baz":[1,2,3],"a/b":1,"m~n":2,"spec":{"ports":[{"port":81}]}}""")]
    [InlineData("replace root", """[{"op":"replace","path":"","value":{"x":1}}]""", """{"x":1}""")]
    public void Apply_Table(string description, string operations, string expected)
    {
        JsonEqual(expected, JsonPatch.Apply(Json(Doc), Json(operations).AsArray()), description);
    }

    [Theory]
    [InlineData("remove missing", """[{"op":"remove","path":"/nope"}]""", PatchErrorKind.Invalid)]
    [InlineData("replace missing", """[{"op":"replace","path":"/nope","value":1}]""", PatchErrorKind.Invalid)]
    [InlineData("add under missing parent", """[{"op":"add","path":"/x/y","value":1}]""", PatchErrorKind.Invalid)]
    [InlineData("index out of range", """[{"op":"add","path":"/baz/9","value":1}]""", PatchErrorKind.Invalid)]
    [InlineData("leading zero index", """[{"op":"remove","path":"/baz/01"}]""", PatchErrorKind.Invalid)]
    [InlineData("test fails", """[{"op":"test","path":"/foo","value":"baz"}]""", PatchErrorKind.Invalid)]
    [InlineData("test type differs", """[{"op":"test","path":"/spec/ports/0/port","value":"80"}]""", PatchErrorKind.Invalid)]
    [InlineData("move into own child", """[{"op":"move","from":"/spec","path":"/spec/x"}]""", PatchErrorKind.Invalid)]
    [InlineData("bad escape", """[{"op":"remove","path":"/a~2b"}]""", PatchErrorKind.Invalid)]
    [InlineData("pointer without slash", """[{"op":"remove","path":"foo"}]""", PatchErrorKind.Invalid)]
    [InlineData("unknown op", """[{"op":"frob","path":"/foo"}]""", PatchErrorKind.BadRequest)]
    [InlineData("missing value", """[{"op":"add","path":"/foo"}]""", PatchErrorKind.BadRequest)]
    [InlineData("operation not an object", """[1]""", PatchErrorKind.BadRequest)]
    public void Apply_Failure_Throws(string description, string operations, PatchErrorKind kind)
    {
        var ex = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json(Doc), Json(operations).AsArray()));
        Assert.True(kind == ex.Kind, $"{description}: {ex.Kind} {ex.Message}");
        Assert.False(string.IsNullOrEmpty(ex.Message));
    }

    [Fact]
    public void Apply_FailureHalfway_LeavesTargetUntouched()
    {
        var target = Json(Doc);
        Assert.Throws<PatchException>(() => JsonPatch.Apply(target, Json("""[{"op":"remove","path":"/foo"},{"op":"remove","path":"/nope"}]""").AsArray()));
        JsonEqual(Doc, target);
    }

    [Fact]
    public void Apply_RandomOperations_OnlyThrowPatchException()
    {
        var random = new Random(7);
        string[] ops = ["add", "remove", "replace", "move", "copy", "test", "x"];
        string[] paths = ["", "/", "/foo", "/baz/0", "/baz/-", "/baz/5", "/spec/ports/0/port", "/a~1b", "/~", "/m~0n", "/spec/x/y"];
        for (var i = 0; i < 3000; i++)
        {
            var operations = new JsonArray();
            for (var j = 0; j < random.Next(1, 4); j++)
            {
                operations.Add(new JsonObject
                {
                    ["op"] = ops[random.Next(ops.Length)],
                    ["path"] = paths[random.Next(paths.Length)],
                    ["from"] = paths[random.Next(paths.Length)],
                    ["value"] = random.Next(3) == 0 ? null : JsonValue.Create(random.Next(5)),
                });
            }

            try
            {
                JsonPatch.Apply(Json(Doc), operations);
            }
            catch (PatchException)
            {
            }
        }
    }
}
