using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// Deletion with finalizers: an object with finalizers (or of a kind that always deletes gracefully) gets a
/// <c>deletionTimestamp</c> and stays until its last finalizer is removed; otherwise it goes at once.
/// Preconditions (uid, resourceVersion) are checked first.
/// </summary>
internal sealed class Finalization(TimeProvider time)
{
    private readonly TimeProvider _time = time;

    /// <summary>Under the store lock: deletes or starts deleting one object.</summary>
    public WriteResult Delete(StoreTransaction tx, ResourceType type, string ns, string name, JsonObject? deleteOptions, bool dryRun)
    {
        var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
        CheckPreconditions(type, name, current, deleteOptions);
        var obj = current.Object.DeepClone().AsObject();
        var objMeta = ObjectMetadata.Of(obj);
        var graceful = ObjectMetadata.Finalizers(obj).Count > 0 || type.Strategy.AlwaysGracefulDelete;
        if (graceful)
        {
            if (objMeta["deletionTimestamp"] is not null)
            {
                return new WriteResult(obj, 200, []);
            }

            objMeta["deletionTimestamp"] = ObjectMetadata.Timestamp(_time);
            objMeta["deletionGracePeriodSeconds"] = 0;
            type.Strategy.PrepareForGracefulDelete(obj);
            return dryRun ? new WriteResult(obj, 200, []) : new WriteResult(tx.Put(type.Key, ns, name, obj, created: false).DeepClone().AsObject(), 200, []);
        }

        if (dryRun)
        {
            return new WriteResult(obj, 200, []);
        }

        AdmissionChain.OnDelete(type, obj);
        return new WriteResult(tx.Delete(type.Key, ns, name, obj).DeepClone().AsObject(), 200, []);
    }

    /// <summary>An object being deleted may lose finalizers but never gain one (422).</summary>
    public static void CheckNoNewFinalizers(ResourceType type, string name, JsonObject updated, JsonObject old)
    {
        var finalizers = ObjectMetadata.Finalizers(updated);
        var oldFinalizers = ObjectMetadata.Finalizers(old);
        var added = finalizers.Where(f => !oldFinalizers.Contains(f)).ToList();
        if (added.Count > 0)
        {
            throw ApiErrors.Invalid(type, name, [FieldErrors.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{\"" + string.Join("\", \"", added) + "\"}")]);
        }
    }

    private static void CheckPreconditions(ResourceType type, string name, StoredObject current, JsonObject? deleteOptions)
    {
        if (deleteOptions?["preconditions"] is not JsonObject pre)
        {
            return;
        }

        var meta = current.Object["metadata"];
        if (pre["uid"] is JsonValue uidValue && uidValue.TryGetValue<string>(out var uid) && uid.Length > 0 && uid != JsonRead.Str(meta?["uid"]))
        {
            throw ApiErrors.Conflict(type, name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + meta?["uid"]);
        }

        var currentRv = ResourceVersions.Format(current.ResourceVersion);
        if (pre["resourceVersion"] is JsonValue rvValue && rvValue.TryGetValue<string>(out var rv) && rv.Length > 0 && rv != currentRv)
        {
            throw ApiErrors.Conflict(type, name, "Precondition failed: ResourceVersion in precondition: " + rv + ", ResourceVersion in object meta: " + currentRv);
        }
    }
}
