using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Strategies;

/// <summary>
/// What one kind does differently from the generic registry (after kube-apiserver's per-kind REST strategies).
/// This base is the behaviour of every kind without one: no server-set fields, no admission beyond
/// ObjectMeta, deletion graceful only while finalizers remain. Attached to a kind by
/// <c>Resources.ResourceType.Strategy</c>.
/// </summary>
/// <remarks>The admission methods run under the store's writer lock, so allocations and writes are serialized together.</remarks>
internal class KindStrategy
{
    /// <summary>Sets the server-owned fields of a new object before it is stored (initial status, required labels).</summary>
    public virtual void PrepareForCreate(JsonObject obj)
    {
    }

    /// <summary>Defaulting that runs before ObjectMeta validation, on every create and update.</summary>
    public virtual void ApplyDefaults(JsonObject obj)
    {
    }

    /// <summary>
    /// Removes the fields of an update that the emulated Kubernetes version does not have, as its decoder would, and
    /// returns their paths (each becomes an <c>unknown field</c> warning).
    /// </summary>
    public virtual IReadOnlyList<string> PruneUnknownFields(JsonObject updated, bool status) => [];

    /// <summary>Defaults, validates and allocates for a new object; the errors make a 422 (or 500 for internal ones).</summary>
    public virtual IReadOnlyList<FieldError> AdmitCreate(JsonObject obj, bool dryRun) => [];

    /// <summary>Defaults, validates and (re)allocates for an update of <paramref name="old"/> into <paramref name="updated"/>.</summary>
    public virtual IReadOnlyList<FieldError> AdmitUpdate(JsonObject updated, JsonObject old, bool status, bool dryRun) => [];

    /// <summary>
    /// The <c>Warning</c> headers a write of <paramref name="obj"/> gets after admission accepted it (upstream's
    /// <c>WarningsOnCreate</c>/<c>WarningsOnUpdate</c>); <paramref name="status"/> for a status-subresource write.
    /// </summary>
    public virtual IReadOnlyList<string> Warnings(JsonObject obj, bool status) => [];

    /// <summary>
    /// Whether an update (not a status write) of <paramref name="old"/> into <paramref name="updated"/> increments
    /// <c>metadata.generation</c> (kinds with <c>TracksGeneration</c>): by default a change of spec or annotations, as
    /// the workload strategies do.
    /// </summary>
    public virtual bool BumpsGeneration(JsonObject updated, JsonObject old) =>
        !JsonNode.DeepEquals(updated["spec"], old["spec"]) || !JsonNode.DeepEquals(updated["metadata"]?["annotations"], old["metadata"]?["annotations"]);

    /// <summary>Releases what the object held, once it is really gone from storage.</summary>
    public virtual void Released(JsonObject obj)
    {
    }

    /// <summary>Why an object of this name may never be deleted (403 Forbidden), or null when it may.</summary>
    public virtual string? DeletionForbidden(string name) => null;

    /// <summary>Whether a delete always goes through <c>deletionTimestamp</c>, even without finalizers.</summary>
    public virtual bool AlwaysGracefulDelete => false;

    /// <summary>Marks an object whose graceful deletion starts (beyond <c>deletionTimestamp</c>, which the registry sets).</summary>
    public virtual void PrepareForGracefulDelete(JsonObject obj)
    {
    }
}
