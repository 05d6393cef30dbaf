using Ferry.ApiServer.Patching;
using static Ferry.ApiServer.Tests.Patching.PatchAssert;

namespace Ferry.ApiServer.Tests.Patching;

/// <summary>Cases verified against upstream patch.go (docs/kubernetes-api-contract.md, "Patches").</summary>
public class StrategicMergePatchTests
{
    private const string Finalizers = """{"metadata":{"name":"s","finalizers":["f1","f2","f3"]}}""";

    private const string Ports = """
        {"spec":{"type":"LoadBalancer","ports":[
          {"name":"http","port":80,"protocol":"TCP","nodePort":30080},
          {"name":"https","port":443,"protocol":"TCP","nodePort":30443}]}}
        """;

    [Theory]
    [InlineData("new items interleave", """{"metadata":{"finalizers":["f4","f2"]}}""", """["f4","f1","f2","f3"]""")]
    [InlineData("new item after its predecessor", """{"metadata":{"finalizers":["f2","f9"]}}""", """["f1","f2","f9","f3"]""")]
    [InlineData("empty list is a no-op", """{"metadata":{"finalizers":[]}}""", """["f1","f2","f3"]""")]
    [InlineData("delete from primitive list", """{"metadata":{"$deleteFromPrimitiveList/finalizers":["f2","zz"]}}""", """["f1","f3"]""")]
    [InlineData("set element order alone", """{"metadata":{"$setElementOrder/finalizers":["f3","f1","f2"]}}""", """["f3","f1","f2"]""")]
    [InlineData("order plus delete", """{"metadata":{"$setElementOrder/finalizers":["f3","f1"],"$deleteFromPrimitiveList/finalizers":["f2"]}}""", """["f3","f1"]""")]
    public void Apply_Finalizers(string description, string patch, string expected)
    {
        var result = StrategicMergePatch.Apply(Json(Finalizers), Json(patch), "Service");
        JsonEqual(expected, result["metadata"]!["finalizers"], description);
    }

    [Fact]
    public void Apply_DeleteAndAddPrimitive_NewGoesFirst()
    {
        var result = StrategicMergePatch.Apply(Json("""{"metadata":{"finalizers":["f1","f2"]}}"""),
            Json("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["f1"],"finalizers":["f3"]}}"""), "Service");
        JsonEqual("""["f3","f2"]""", result["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_DuplicatePrimitivesInPatch_Deduplicated()
    {
        var result = StrategicMergePatch.Apply(Json("""{"metadata":{"finalizers":["f1"]}}"""),
            Json("""{"metadata":{"finalizers":["f2","f2","f1"]}}"""), "Service");
        JsonEqual("""["f2","f1"]""", result["metadata"]!["finalizers"]);
    }

    [Fact]
    public void Apply_DeletingLastFinalizer_RemovesField()
    {
        var result = StrategicMergePatch.Apply(Json("""{"metadata":{"finalizers":["f1"]}}"""),
            Json("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["f1"]}}"""), "Service");
        Assert.False(result["metadata"]!.AsObject().ContainsKey("finalizers"));
    }

    [Theory]
    [InlineData("rename keeps nodePort", """{"spec":{"ports":[{"port":443,"name":"tls"}]}}""",
        """[{"name":"http","port":80,"protocol":"TCP","nodePort":30080},{"name":"tls","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("new element goes first", """{"spec":{"ports":[{"port":8080,"name":"alt"}]}}""",
        """[{"port":8080,"name":"alt"},{"name":"http","port":80,"protocol":"TCP","nodePort":30080},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("kubectl apply shape", """{"spec":{"$setElementOrder/ports":[{"port":81},{"port":443}],"ports":[{"name":"http","port":81,"protocol":"TCP"},{"$patch":"delete","port":80}]}}""",
        """[{"name":"http","port":81,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("replace directive in list", """{"spec":{"ports":[{"$patch":"replace"},{"port":9000}]}}""", """[{"port":9000}]""")]
    [InlineData("empty patch list is a no-op", """{"spec":{"ports":[]}}""",
        """[{"name":"http","port":80,"protocol":"TCP","nodePort":30080},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("duplicate key merges twice", """{"spec":{"ports":[{"port":80,"name":"a"},{"port":80,"name":"b"}]}}""",
        """[{"name":"b","port":80,"protocol":"TCP","nodePort":30080},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("null inside element deletes field", """{"spec":{"ports":[{"port":80,"nodePort":null}]}}""",
        """[{"name":"http","port":80,"protocol":"TCP"},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("string key differs from number", """{"spec":{"ports":[{"port":"80","name":"s"}]}}""",
        """[{"port":"80","name":"s"},{"name":"http","port":80,"protocol":"TCP","nodePort":30080},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    [InlineData("port-only key collides across protocols", """{"spec":{"ports":[{"port":80,"protocol":"UDP"}]}}""",
        """[{"name":"http","port":80,"protocol":"UDP","nodePort":30080},{"name":"https","port":443,"protocol":"TCP","nodePort":30443}]""")]
    public void Apply_ServicePorts(string description, string patch, string expected)
    {
        var result = StrategicMergePatch.Apply(Json(Ports), Json(patch), "Service");
        JsonEqual(expected, result["spec"]!["ports"], description);
    }

    [Fact]
    public void Apply_NullList_RemovesKey()
    {
        var result = StrategicMergePatch.Apply(Json(Ports), Json("""{"spec":{"ports":null}}"""), "Service");
        Assert.False(result["spec"]!.AsObject().ContainsKey("ports"));
    }

    [Theory]
    [InlineData("merge into middle", """[{"type":"B","v":2},{"type":"N"}]""", """[{"type":"A"},{"type":"B","v":2},{"type":"N"},{"type":"C"}]""")]
    [InlineData("reorder by patch", """[{"type":"C","v":3},{"type":"A","v":1}]""", """[{"type":"B"},{"type":"C","v":3},{"type":"A","v":1}]""")]
    public void Apply_Conditions(string description, string patchConditions, string expected)
    {
        var original = Json("""{"status":{"conditions":[{"type":"A"},{"type":"B"},{"type":"C"}]}}""");
        var result = StrategicMergePatch.Apply(original, Json("{\"status\":{\"conditions\":" + patchConditions + "}}"), "Node");
        JsonEqual(expected, result["status"]!["conditions"], description);
    }

    [Fact]
    public void Apply_SetElementOrderWithoutPatchList_KeepsServerOnlyItems()
    {
        var original = Json("""{"status":{"conditions":[{"type":"A"},{"type":"B"},{"type":"C"}]}}""");
        var result = StrategicMergePatch.Apply(original, Json("""{"status":{"$setElementOrder/conditions":[{"type":"C"},{"type":"A"}]}}"""), "Node");
        JsonEqual("""[{"type":"B"},{"type":"C"},{"type":"A"}]""", result["status"]!["conditions"]);
    }

    [Fact]
    public void Apply_AtomicList_Replaced()
    {
        var original = Json("""{"status":{"loadBalancer":{"ingress":[{"ip":"1.1.1.1"},{"ip":"2.2.2.2"}]}}}""");
        var result = StrategicMergePatch.Apply(original, Json("""{"status":{"loadBalancer":{"ingress":[{"ip":"3.3.3.3"}]}}}"""), "Service");
        JsonEqual("""[{"ip":"3.3.3.3"}]""", result["status"]!["loadBalancer"]!["ingress"]);
    }

    [Fact]
    public void Apply_MapsMergeAndNullDeletes()
    {
        var original = Json("""{"metadata":{"labels":{"a":"1","b":"2"},"annotations":{"x":"y"}},"spec":{"selector":{"app":"web"}}}""");
        var result = StrategicMergePatch.Apply(original,
            Json("""{"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"selector":{"tier":"fe"}}}"""), "Service");
        JsonEqual("""{"metadata":{"labels":{"b":"2","c":"3"},"annotations":{"x":"y"}},"spec":{"selector":{"app":"web","tier":"fe"}}}""", result);
    }

    [Fact]
    public void Apply_RetainKeys_ClearsUnlistedFields()
    {
        var original = Json("""{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%"}}}}""");
        var result = StrategicMergePatch.Apply(original, Json("""{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"""), "Deployment");
        JsonEqual("""{"type":"Recreate"}""", result["spec"]!["strategy"]);
    }

    [Fact]
    public void Apply_RetainKeysInVolumes_ReplacesSource()
    {
        var original = Json("""{"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}}""");
        var result = StrategicMergePatch.Apply(original,
            Json("""{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"v","configMap":{"name":"cm"}}]}}"""), "Pod");
        JsonEqual("""[{"name":"v","configMap":{"name":"cm"}},{"name":"w","emptyDir":{}}]""", result["spec"]!["volumes"]);
    }

    [Fact]
    public void Apply_DeploymentContainersAndEnv_MergeByName()
    {
        var original = Json("""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"a:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"args":["x","y"]},
              {"name":"side","image":"s:1"}]}}}}
            """);
        var patch = Json("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:2","env":[{"name":"B","value":"3"}],"args":["z"]}]}}}}""");
        var result = StrategicMergePatch.Apply(original, patch, "Deployment");
        JsonEqual("""
            [{"name":"app","image":"a:2","env":[{"name":"A","value":"1"},{"name":"B","value":"3"}],"args":["z"]},
             {"name":"side","image":"s:1"}]
            """, result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Apply_OwnerReferences_MergeByUid()
    {
        var original = Json("""{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}}""");
        var result = StrategicMergePatch.Apply(original, Json("""{"metadata":{"ownerReferences":[{"uid":"2","name":"b"}]}}"""), "ConfigMap");
        JsonEqual("""[{"uid":"2","name":"b"},{"uid":"1","name":"a"}]""", result["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public void Apply_EndpointSliceLists_Replaced()
    {
        var original = Json("""{"endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80}]}""");
        var result = StrategicMergePatch.Apply(original, Json("""{"endpoints":[{"addresses":["10.0.0.2"]}]}"""), "EndpointSlice");
        JsonEqual("""{"endpoints":[{"addresses":["10.0.0.2"]}],"ports":[{"port":80}]}""", result);
    }

    [Theory]
    [InlineData("root replace", """{"$patch":"replace","a":1}""", """{"a":1}""")]
    [InlineData("root delete", """{"$patch":"delete"}""", """{}""")]
    [InlineData("delete map field", """{"spec":{"$patch":"delete"}}""", """{"metadata":{"name":"s"},"spec":{}}""")]
    [InlineData("replace map field", """{"spec":{"$patch":"replace","type":"NodePort"}}""", """{"metadata":{"name":"s"},"spec":{"type":"NodePort"}}""")]
    [InlineData("directive map under new key is not added", """{"status":{"$patch":"delete"}}""", """{"metadata":{"name":"s"},"spec":{"type":"ClusterIP","ports":[{"port":80}]}}""")]
    [InlineData("nulls and directives stripped from new subtree", """{"status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4","hostname":null}]},"$setElementOrder/x":[]}}""",
        """{"metadata":{"name":"s"},"spec":{"type":"ClusterIP","ports":[{"port":80}]},"status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}}""")]
    [InlineData("type change replaces", """{"spec":"x"}""", """{"metadata":{"name":"s"},"spec":"x"}""")]
    public void Apply_MapDirectives(string description, string patch, string expected)
    {
        var original = Json("""{"metadata":{"name":"s"},"spec":{"type":"ClusterIP","ports":[{"port":80}]}}""");
        JsonEqual(expected, StrategicMergePatch.Apply(original, Json(patch), "Service"), description);
    }

    [Theory]
    [InlineData("missing merge key", """{"spec":{"ports":[{"name":"nokey"}]}}""", PatchErrorKind.Internal, "map: map[name:nokey] does not contain declared merge key: port")]
    [InlineData("delete without key", """{"spec":{"ports":[{"$patch":"delete"}]}}""", PatchErrorKind.Internal, "map: map[$patch:delete] does not contain declared merge key: port")]
    [InlineData("merge directive in list", """{"spec":{"ports":[{"$patch":"merge"}]}}""", PatchErrorKind.Internal, "merging lists cannot yet be specified in the patch")]
    [InlineData("unknown directive in list", """{"spec":{"ports":[{"$patch":"foo","port":80}]}}""", PatchErrorKind.Internal, "unknown patch type: foo in map: map[$patch:foo port:80]")]
    [InlineData("unknown directive on map", """{"spec":{"$patch":"merge"}}""", PatchErrorKind.Internal, "unknown patch type: merge in map: map[$patch:merge]")]
    [InlineData("mixed element types", """{"metadata":{"finalizers":[1]}}""", PatchErrorKind.Internal, "list element types are not identical: [[f1] [1]]")]
    [InlineData("bad retainKeys", """{"spec":{"$retainKeys":["type"],"ports":[]}}""", PatchErrorKind.BadRequest, "invalid patch format of retainKeys")]
    [InlineData("bad primitive list directive", """{"metadata":{"$deleteFromPrimitiveList":["f1"]}}""", PatchErrorKind.BadRequest, "invalid patch format of primitive list")]
    [InlineData("bad order list", """{"metadata":{"$setElementOrder/finalizers":"x"}}""", PatchErrorKind.BadRequest, "invalid patch format of setElementOrder list")]
    [InlineData("order mismatch", """{"spec":{"$setElementOrder/ports":[{"port":443}],"ports":[{"port":80,"name":"x"}]}}""", PatchErrorKind.Internal, "The order in patch list:\n[map[name:x port:80]]\n doesn't match $setElementOrder list:\n[map[port:443]]\n")]
    [InlineData("lists of lists", """{"metadata":{"finalizers":[["a"]]}}""", PatchErrorKind.Invalid, "list element types are not identical: [[f1] [[a]]]")]
    public void Apply_Errors(string description, string patch, PatchErrorKind kind, string message)
    {
        var original = Json("""{"metadata":{"finalizers":["f1"]},"spec":{"ports":[{"port":80}]}}""");
        var ex = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(original, Json(patch), "Service"));
        Assert.True(message == ex.Message, $"{description}: {ex.Message}");
        if (description != "lists of lists")
        {
            Assert.Equal(kind, ex.Kind);
        }
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var original = Json(Ports);
        var patch = Json("""{"spec":{"$setElementOrder/ports":[{"port":443}],"ports":[{"port":443,"name":"x"}]}}""");
        var before = patch.ToJsonString();
        StrategicMergePatch.Apply(original, patch, "Service");
        JsonEqual(Ports, original);
        Assert.Equal(before, patch.ToJsonString());
    }

    [Fact]
    public void Apply_RandomPatches_OnlyThrowPatchException()
    {
        var random = new Random(99);
        string[] keys = ["spec", "ports", "port", "name", "$patch", "$retainKeys", "$setElementOrder/ports", "$deleteFromPrimitiveList/finalizers", "metadata", "finalizers"];
        for (var i = 0; i < 3000; i++)
        {
            var patch = RandomNode(random, keys, 3) as System.Text.Json.Nodes.JsonObject ?? [];
            try
            {
                StrategicMergePatch.Apply(Json(Ports), patch, "Service");
            }
            catch (PatchException)
            {
            }
        }
    }

    private static System.Text.Json.Nodes.JsonNode? RandomNode(Random random, string[] keys, int depth)
    {
        switch (depth <= 0 ? random.Next(3) : random.Next(6))
        {
            case 0:
                return null;
            case 1:
                return System.Text.Json.Nodes.JsonValue.Create(random.Next(3) == 0 ? "delete" : "x");
            case 2:
                return System.Text.Json.Nodes.JsonValue.Create(random.Next(100));
            case 3:
            case 4:
                var obj = new System.Text.Json.Nodes.JsonObject();
                for (var i = 0; i < random.Next(4); i++)
                {
                    obj[keys[random.Next(keys.Length)]] = RandomNode(random, keys, depth - 1);
                }

                return obj;
            default:
                var array = new System.Text.Json.Nodes.JsonArray();
                for (var i = 0; i < random.Next(3); i++)
                {
                    array.Add(RandomNode(random, keys, depth - 1));
                }

                return array;
        }
    }
}
