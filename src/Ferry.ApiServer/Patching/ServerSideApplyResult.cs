using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>The outcome of <see cref="ServerSideApply.Apply(JsonNode?, JsonNode, string, string, bool)"/>.</summary>
/// <remarks>The record is immutable, but <see cref="Merged"/> is a fresh mutable tree owned by the caller.</remarks>
/// <param name="Merged">The merged object with its updated <c>metadata.managedFields</c>; when there are
/// conflicts it is an unchanged copy of the live object (or null when there was none).</param>
/// <param name="Created">True when there was no live object (the server should answer 201).</param>
/// <param name="Conflicts">Fields owned by other managers that the apply would change (empty when applied or forced).</param>
public sealed record ServerSideApplyResult(JsonObject? Merged, bool Created, IReadOnlyList<ApplyConflict> Conflicts)
{
    public bool Succeeded => Conflicts.Count == 0;

    /// <summary>kube-apiserver's 409 message: <c>Apply failed with 1 conflict: conflict with "m" using v1: .spec.type</c>.</summary>
    public string ConflictMessage => Conflicts.Count == 0
        ? string.Empty
        : $"Apply failed with {Conflicts.Count} conflict{(Conflicts.Count == 1 ? string.Empty : "s")}: " + string.Join("\n", Conflicts.Select(c => c.ToString()));

    /// <summary>The full 409 <c>Status</c> body (reason Conflict, one <c>FieldManagerConflict</c> cause per field).</summary>
    public JsonObject ConflictStatus(string kind, string name)
    {
        var causes = new JsonArray();
        foreach (var conflict in Conflicts)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = conflict.Message, ["field"] = conflict.Field });
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = ConflictMessage,
            ["reason"] = "Conflict",
            ["details"] = new JsonObject { ["name"] = name, ["kind"] = kind, ["causes"] = causes },
            ["code"] = 409,
        };
    }
}
