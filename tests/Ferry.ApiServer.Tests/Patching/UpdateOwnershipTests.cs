using System.Text.Json.Nodes;
using Ferry.ApiServer.Patching;
using Microsoft.Extensions.Time.Testing;
using static Ferry.ApiServer.Tests.Patching.PatchAssert;

namespace Ferry.ApiServer.Tests.Patching;

/// <summary>managedFields of non-apply writes (Update managers), as kube-apiserver's field manager records them.</summary>
public class UpdateOwnershipTests
{
    private static readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Create_OwnsEverythingSent_ContainersMarkedWithDot()
    {
        var obj = Obj("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"x","namespace":"default","labels":{"app":"x"}},
             "spec":{"selector":{"app":"x"},"ports":[{"port":80,"protocol":"TCP"}]}}
            """);
        UpdateOwnership.Record(null, obj, "Service", "v1", "kubectl-create", string.Empty, _clock);

        var entry = Assert.Single(obj["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("kubectl-create", (string)entry["manager"]!);
        Assert.Equal("Update", (string)entry["operation"]!);
        Assert.Equal("v1", (string)entry["apiVersion"]!);
        Assert.Equal("2026-12-05T12:00:00Z", (string)entry["time"]!);
        Assert.Null(entry["subresource"]);
        JsonEqual("""
            {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
             "f:spec":{"f:selector":{".":{},"f:app":{}},
                       "f:ports":{".":{},"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{},"f:protocol":{}}}}}
            """, entry["fieldsV1"]);
    }

    [Fact]
    public void Update_ChangedFieldMovesToTheWriter_OthersKeepTheRest()
    {
        var live = Obj("""{"metadata":{"name":"x"},"spec":{"type":"ClusterIP","selector":{"app":"x"}}}""");
        UpdateOwnership.Record(null, live, "Service", "v1", "kubectl-create", string.Empty, _clock);
        var patched = (JsonObject)live.DeepClone();
        patched["spec"]!["type"] = "NodePort";

        UpdateOwnership.Record(live, patched, "Service", "v1", "kubectl-patch", string.Empty, _clock);

        var entries = patched["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal(["kubectl-create", "kubectl-patch"], entries.Select(e => (string)e!["manager"]!));
        JsonEqual("""{"f:spec":{"f:selector":{".":{},"f:app":{}}}}""", entries[0]!["fieldsV1"]);
        JsonEqual("""{"f:spec":{"f:type":{}}}""", entries[1]!["fieldsV1"]);
    }

    [Fact]
    public void Update_RemovedField_LeavesEverySet_EmptyManagerDropped()
    {
        var live = Obj("""{"metadata":{"name":"x","labels":{"a":"1"}},"spec":{"type":"NodePort"}}""");
        UpdateOwnership.Record(null, live, "Service", "v1", "first", string.Empty, _clock);
        var updated = Obj("""{"metadata":{"name":"x","labels":{"a":"1"}},"spec":{"type":"NodePort","sessionAffinity":"ClientIP"}}""");
        updated["metadata"]!["managedFields"] = live["metadata"]!["managedFields"]!.DeepClone();
        UpdateOwnership.Record(live, updated, "Service", "v1", "second", string.Empty, _clock);

        var removed = Obj("""{"metadata":{"name":"x"},"spec":{"type":"NodePort"}}""");
        UpdateOwnership.Record(updated, removed, "Service", "v1", "third", string.Empty, _clock);

        // "second" owned only the removed sessionAffinity, "third" only removed: neither is left.
        var entry = Assert.Single(removed["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("first", (string)entry["manager"]!);
        JsonEqual("""{"f:spec":{"f:type":{}}}""", entry["fieldsV1"]);
    }

    [Fact]
    public void StatusWrite_RecordsTheSubresource()
    {
        var live = Obj("""{"metadata":{"name":"x"},"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{}}}""");
        var updated = Obj("""{"metadata":{"name":"x"},"spec":{"type":"LoadBalancer"},"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}}""");
        UpdateOwnership.Record(live, updated, "Service", "v1", "ferry", "status", _clock);

        var entry = Assert.Single(updated["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("status", (string)entry["subresource"]!);
        JsonEqual("""{"f:status":{"f:loadBalancer":{"f:ingress":{}}}}""", entry["fieldsV1"]);
    }

    [Fact]
    public void NoChange_KeepsManagersAsTheyWere()
    {
        var live = Obj("""{"metadata":{"name":"x"},"spec":{"type":"NodePort"}}""");
        UpdateOwnership.Record(null, live, "Service", "v1", "first", string.Empty, _clock);
        var same = (JsonObject)live.DeepClone();
        same["metadata"]!.AsObject().Remove("managedFields");

        UpdateOwnership.Record(live, same, "Service", "v1", "second", string.Empty, new FakeTimeProvider(_clock.GetUtcNow().AddHours(1)));

        Assert.True(JsonNode.DeepEquals(live["metadata"]!["managedFields"], same["metadata"]!["managedFields"]));
    }

    [Fact]
    public void SentManagedFields_SingleEmptyEntry_ClearsThem()
    {
        var live = Obj("""{"metadata":{"name":"x"},"spec":{"type":"NodePort"}}""");
        UpdateOwnership.Record(null, live, "Service", "v1", "first", string.Empty, _clock);
        var updated = Obj("""{"metadata":{"name":"x","managedFields":[{}]},"spec":{"type":"NodePort","sessionAffinity":"None"}}""");

        UpdateOwnership.Record(live, updated, "Service", "v1", "second", string.Empty, _clock);

        var entry = Assert.Single(updated["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("second", (string)entry["manager"]!);
    }

    [Theory]
    [InlineData("kubectl-patch/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl-patch")]
    [InlineData("kubectl/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl")]
    [InlineData("no-slash", "no-slash")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void ManagerFromUserAgent_IsThePrefixBeforeTheFirstSlash(string? userAgent, string expected) =>
        Assert.Equal(expected, UpdateOwnership.ManagerFromUserAgent(userAgent));

    [Fact]
    public void ManagerFromUserAgent_DropsControlCharacters_CutsAt128Bytes()
    {
        Assert.Equal("ab", UpdateOwnership.ManagerFromUserAgent("a\tb/1"));
        Assert.Equal(new string('m', 128), UpdateOwnership.ManagerFromUserAgent(new string('m', 300)));
    }

    private static JsonObject Obj(string text) => (JsonObject)Json(text);
}
