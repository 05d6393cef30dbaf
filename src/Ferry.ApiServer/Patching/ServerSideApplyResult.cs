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

    /// <summary>
    /// kube-apiserver's 409 message: <c>Apply failed with 1 conflict: conflict with "m" using v1: .spec.type</c>; with
    /// several, <c>Apply failed with 2 conflicts: conflicts with "a" using v1:\n- .spec.type\n…</c> grouped by manager
    /// in sorted order.
    /// </summary>
    public string ConflictMessage
    {
        get
        {
            if (Conflicts.Count <= 1)
            {
                return Conflicts.Count == 0 ? string.Empty : "Apply failed with 1 conflict: " + Conflicts[0];
            }

            var lines = new List<string>();
            foreach (var group in Conflicts.GroupBy(c => c.ManagerText).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add("conflicts with " + group.Key + ":");
                lines.AddRange(group.Select(c => "- " + c.Field).Order(StringComparer.Ordinal));
            }

            return $"Apply failed with {Conflicts.Count} conflicts: " + string.Join("\n", lines);
        }
    }

    /// <summary>The full 409 <c>Status</c> body (reason Conflict, details with one <c>FieldManagerConflict</c> cause per field, as upstream's <c>NewApplyConflict</c>).</summary>
    public JsonObject ConflictStatus()
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
            ["details"] = new JsonObject { ["causes"] = causes },
            ["code"] = 409,
        };
    }
}
