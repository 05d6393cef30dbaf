using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Objects;

namespace Ferry.ApiServer.Strategies;

/// <summary>
/// Namespaces: the name label, the <c>kubernetes</c> finalizer and phase Active on create, defaulting on every
/// write, the system namespaces never deleted, and a delete that always goes through phase Terminating (the registry's namespace lifecycle then
/// empties and removes it).
/// </summary>
internal sealed class NamespaceKindStrategy : KindStrategy
{
    private static readonly string[] _protectedNamespaces = ["default", "kube-system", "kube-public"];

    public override void PrepareForCreate(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj["metadata"] = meta;
        }

        var name = JsonRead.Str(meta["name"]);
        if (meta["labels"] is not JsonObject labels)
        {
            labels = [];
            meta["labels"] = labels;
        }

        labels[NamespaceDefaulter.NameLabel] = name;
        obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        obj["status"] = new JsonObject { ["phase"] = "Active" };
    }

    public override void ApplyDefaults(JsonObject obj) => NamespaceDefaulter.ApplyDefaults(obj);

    public override string? DeletionForbidden(string name) =>
        _protectedNamespaces.Contains(name) ? "this namespace may not be deleted" : null;

    public override bool AlwaysGracefulDelete => true;

    public override void PrepareForGracefulDelete(JsonObject obj) => obj["status"] = new JsonObject { ["phase"] = "Terminating" };
}
