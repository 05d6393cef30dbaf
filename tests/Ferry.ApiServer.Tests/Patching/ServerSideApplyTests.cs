using Ferry.ApiServer.Patching;
using Microsoft.Extensions.Time.Testing;
using static Ferry.ApiServer.Tests.Patching.PatchAssert;

namespace Ferry.ApiServer.Tests.Patching;

public class ServerSideApplyTests
{
    private static readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero));

    private const string Applied = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"type":"LoadBalancer","selector":{"app":"web"},
                 "ports":[{"name":"dns-tcp","port":53,"protocol":"TCP"},{"name":"dns-udp","port":53,"protocol":"UDP"}]}}
        """;

    [Fact]
    public void Apply_NoLiveObject_CreatesAndRecordsManagedFields()
    {
        var result = ServerSideApply.Apply(null, Json(Applied), "Service", "kubectl", force: false, _clock);

        Assert.True(result.Created);
        Assert.True(result.Succeeded);
        var entry = result.Merged!["metadata"]!["managedFields"]!.AsArray().Single()!;
        Assert.Equal("kubectl", (string)entry["manager"]!);
        Assert.Equal("Apply", (string)entry["operation"]!);
        Assert.Equal("v1", (string)entry["apiVersion"]!);
        Assert.Equal("2026-11-25T18:00:00Z", (string)entry["time"]!);
        Assert.Equal("FieldsV1", (string)entry["fieldsType"]!);
        JsonEqual("""
            {"f:metadata":{"f:labels":{"f:app":{}}},
             "f:spec":{"f:type":{},"f:selector":{"f:app":{}},
               "f:ports":{"k:{\"port\":53,\"protocol\":\"TCP\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}},
                          "k:{\"port\":53,\"protocol\":\"UDP\"}":{".":{},"f:name":{},"f:port":{},"f:protocol":{}}}}}
            """, entry["fieldsV1"]);
        Assert.Equal("web", (string)result.Merged["metadata"]!["name"]!);
    }

    [Fact]
    public void Apply_PortsKeyedByPortAndProtocol_KeepServerFields()
    {
        var live = ServerSideApply.Apply(null, Json(Applied), "Service", "kubectl", false, _clock).Merged!;
        live["spec"]!["ports"]![0]!["nodePort"] = 30053;
        live["spec"]!["ports"]![1]!["nodePort"] = 30054;
        live["spec"]!["clusterIP"] = "10.96.0.10";

        var applied = Json(Applied);
        applied["spec"]!["ports"]![1]!["name"] = "dns";
        var result = ServerSideApply.Apply(live, applied, "Service", "kubectl", false, _clock);

        Assert.False(result.Created);
        JsonEqual("""
            [{"name":"dns-tcp","port":53,"protocol":"TCP","nodePort":30053},{"name":"dns","port":53,"protocol":"UDP","nodePort":30054}]
            """, result.Merged!["spec"]!["ports"]);
        Assert.Equal("10.96.0.10", (string)result.Merged["spec"]!["clusterIP"]!);
    }

    [Fact]
    public void Apply_MissingProtocol_DefaultsKeyToTcp()
    {
        var live = Json("""{"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"protocol":"TCP","nodePort":30080}]}}""");
        var result = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"name":"http"}]}}"""), "Service", "kubectl", false, _clock);
        JsonEqual("""[{"port":80,"protocol":"TCP","nodePort":30080,"name":"http"}]""", result.Merged!["spec"]!["ports"]);
    }

    [Fact]
    public void Apply_FieldDroppedFromConfig_IsRemoved_OthersKept()
    {
        var first = Json("""{"metadata":{"name":"web","labels":{"a":"1","b":"2"}},"spec":{"sessionAffinity":"ClientIP","ports":[{"port":80},{"port":81}]}}""");
        var live = ServerSideApply.Apply(null, first, "Service", "kubectl", false, _clock).Merged!;
        live["metadata"]!["labels"]!["byHand"] = "x";

        var second = Json("""{"metadata":{"name":"web","labels":{"a":"1"}},"spec":{"ports":[{"port":80}]}}""");
        var result = ServerSideApply.Apply(live, second, "Service", "kubectl", false, _clock).Merged!;

        JsonEqual("""{"a":"1","byHand":"x"}""", result["metadata"]!["labels"]);
        Assert.Null(result["spec"]!["sessionAffinity"]);
        JsonEqual("""[{"port":80}]""", result["spec"]!["ports"]);
    }

    [Fact]
    public void Apply_OtherManagerOwnsDifferentValue_Conflicts_ForceTakesOver()
    {
        var live = ServerSideApply.Apply(null, Json("""{"metadata":{"name":"web"},"spec":{"type":"NodePort"}}"""), "Service", "other", false, _clock).Merged!;
        var applied = Json("""{"metadata":{"name":"web"},"spec":{"type":"LoadBalancer"}}""");

        var refused = ServerSideApply.Apply(live, applied, "Service", "kubectl", force: false, _clock);
        Assert.False(refused.Succeeded);
        // "other" is an Apply manager: upstream names it without "using <apiVersion>" (that is for Update managers).
        Assert.Equal("Apply failed with 1 conflict: conflict with \"other\": .spec.type", refused.ConflictMessage);
        Assert.Equal("NodePort", (string)refused.Merged!["spec"]!["type"]!);
        var status = refused.ConflictStatus();
        Assert.Equal(409, (int)status["code"]!);
        Assert.Equal(".spec.type", (string)status["details"]!["causes"]![0]!["field"]!);

        var forced = ServerSideApply.Apply(live, applied, "Service", "kubectl", force: true, _clock);
        Assert.True(forced.Succeeded);
        Assert.Equal("LoadBalancer", (string)forced.Merged!["spec"]!["type"]!);
        var managers = forced.Merged["metadata"]!["managedFields"]!.AsArray().Select(e => (string)e!["manager"]!).ToList();
        Assert.Equal(["kubectl"], managers);
    }

    [Fact]
    public void Apply_UpdateManagerOwnsField_ConflictsUsingItsApiVersion_ForceTransfers()
    {
        var live = (System.Text.Json.Nodes.JsonObject)Json("""{"metadata":{"name":"web"},"spec":{"type":"NodePort","sessionAffinity":"ClientIP","selector":{"a":"b"}}}""");
        UpdateOwnership.Record(null, live, "Service", "v1", "kubectl-patch", string.Empty, _clock);

        var one = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"spec":{"type":"LoadBalancer","selector":{"a":"b"}}}"""), "Service", "kubectl", false, _clock);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .spec.type", one.ConflictMessage);
        Assert.Equal("conflict with \"kubectl-patch\" using v1", (string)one.ConflictStatus()["details"]!["causes"]![0]!["message"]!);

        var two = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"spec":{"type":"LoadBalancer","sessionAffinity":"None"}}"""), "Service", "kubectl", false, _clock);
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"kubectl-patch\" using v1:\n- .spec.sessionAffinity\n- .spec.type", two.ConflictMessage);

        var forced = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"spec":{"type":"LoadBalancer"}}"""), "Service", "kubectl", true, _clock);
        var entries = forced.Merged!["metadata"]!["managedFields"]!.AsArray();
        JsonEqual("""{"f:spec":{"f:sessionAffinity":{},"f:selector":{".":{},"f:a":{}}}}""", entries.Single(e => (string)e!["manager"]! == "kubectl-patch")!["fieldsV1"]);
        JsonEqual("""{"f:spec":{"f:type":{}}}""", entries.Single(e => (string)e!["manager"]! == "kubectl")!["fieldsV1"]);
    }

    [Fact]
    public void Apply_OtherManagerOwnsSameValue_SharedWithoutConflict()
    {
        var live = ServerSideApply.Apply(null, Json("""{"metadata":{"name":"web"},"spec":{"type":"NodePort","selector":{"a":"b"}}}"""), "Service", "other", false, _clock).Merged!;
        var result = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"spec":{"type":"NodePort"}}"""), "Service", "kubectl", false, _clock);
        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Merged!["metadata"]!["managedFields"]!.AsArray().Count);
    }

    [Fact]
    public void Apply_Finalizers_AreASet()
    {
        var live = Json("""{"metadata":{"name":"web","finalizers":["a"]}}""");
        var result = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web","finalizers":["b"]}}"""), "Service", "kubectl", false, _clock);
        JsonEqual("""["a","b"]""", result.Merged!["metadata"]!["finalizers"]);
        JsonEqual("""{"f:metadata":{"f:finalizers":{"v:\"b\"":{}}}}""", result.Merged["metadata"]!["managedFields"]![0]!["fieldsV1"]);
    }

    [Fact]
    public void Apply_StatusInConfig_Ignored()
    {
        var live = Json("""{"metadata":{"name":"web"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}""");
        var result = ServerSideApply.Apply(live, Json("""{"metadata":{"name":"web"},"status":{"loadBalancer":{}}}"""), "Service", "kubectl", false, _clock);
        JsonEqual("""{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}""", result.Merged!["status"]);
    }

    [Fact]
    public void Apply_NoManager_Throws()
    {
        var ex = Assert.Throws<PatchException>(() => ServerSideApply.Apply(null, Json("{}"), "Service", "", false, _clock));
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", ex.Message);
    }

    [Fact]
    public void Apply_DoesNotModifyInputs()
    {
        var live = Json("""{"metadata":{"name":"web"},"spec":{"type":"NodePort"}}""");
        var applied = Json("""{"metadata":{"name":"web"},"spec":{"type":"LoadBalancer"}}""");
        var liveText = live.ToJsonString();
        var appliedText = applied.ToJsonString();
        ServerSideApply.Apply(live, applied, "Service", "kubectl", false, _clock);
        Assert.Equal(liveText, live.ToJsonString());
        Assert.Equal(appliedText, applied.ToJsonString());
    }
}
