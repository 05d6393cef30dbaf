using System.Text.Json.Nodes;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.CustomResources;

/// <summary>
/// The status apiextensions' controllers give a CustomResourceDefinition (naming, establishing, finalizer),
/// set here synchronously as it is written: its names are accepted unless another definition of the group
/// uses them, and then it is established (served) at once; <c>storedVersions</c> gains the storage version.
/// </summary>
internal static class DefinitionStatus
{
    /// <summary>Whether the definition's condition <paramref name="type"/> is True.</summary>
    public static bool IsTrue(JsonObject definition, string type) =>
        Conditions(definition).OfType<JsonObject>().Any(c => JsonRead.Str(c["type"]) == type && JsonRead.Str(c["status"]) == "True");

    /// <summary>Accepts the names (or says which conflicts), establishes, and records the storage version.</summary>
    public static void Update(JsonObject definition, ResourceCatalog catalog, string now)
    {
        var status = definition["status"] as JsonObject ?? [];
        definition["status"] = status;
        var spec = definition["spec"] as JsonObject ?? [];
        var names = spec["names"] as JsonObject ?? [];
        var conflict = Conflict(JsonRead.Str(definition["metadata"]?["name"]), JsonRead.Str(spec["group"]), names, catalog);
        if (conflict is null)
        {
            status["acceptedNames"] = names.DeepClone();
            SetCondition(definition, DefinitionNames.NamesAccepted, "True", "NoConflicts", "no conflicts found", now);
            if (!IsTrue(definition, DefinitionNames.Established))
            {
                SetCondition(definition, DefinitionNames.Established, "True", "InitialNamesAccepted", "the initial names have been accepted", now);
            }
        }
        else
        {
            status["acceptedNames"] ??= new JsonObject { ["plural"] = string.Empty, ["kind"] = string.Empty };
            SetCondition(definition, DefinitionNames.NamesAccepted, "False", conflict.Value.Reason, conflict.Value.Message, now);
            if (!IsTrue(definition, DefinitionNames.Established))
            {
                SetCondition(definition, DefinitionNames.Established, "False", "NotAccepted", "not all names are accepted", now);
            }
        }

        var stored = status["storedVersions"] as JsonArray ?? [];
        status["storedVersions"] = stored;
        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => v["storage"]?.GetValueKind() == System.Text.Json.JsonValueKind.True);
        if (storage is not null && !stored.Any(v => JsonRead.Str(v) == JsonRead.Str(storage["name"])))
        {
            stored.Add(JsonRead.Str(storage["name"]));
        }
    }

    /// <summary>Sets (or replaces) one condition; <c>lastTransitionTime</c> changes only with the status.</summary>
    public static void SetCondition(JsonObject definition, string type, string status, string reason, string message, string now)
    {
        var statusObject = definition["status"] as JsonObject ?? [];
        definition["status"] = statusObject;
        var conditions = statusObject["conditions"] as JsonArray ?? [];
        statusObject["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonRead.Str(c["type"]) == type);
        var transition = existing is not null && JsonRead.Str(existing["status"]) == status ? JsonRead.Str(existing["lastTransitionTime"]) : now;
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }

    private static JsonArray Conditions(JsonObject definition) => definition["status"]?["conditions"] as JsonArray ?? [];

    /// <summary>The first name another definition of the group already serves (upstream's naming controller), or null.</summary>
    private static (string Reason, string Message)? Conflict(string self, string group, JsonObject names, ResourceCatalog catalog)
    {
        var others = catalog.All.Where(t => t.Group == group && t.Custom?.DefinitionName != self).ToList();
        var plural = JsonRead.Str(names["plural"]);
        if (others.Any(t => t.Plural == plural || t.Singular == plural || t.ShortNames.Contains(plural)))
        {
            return ("PluralConflict", Quoted(plural));
        }

        var singular = JsonRead.Str(names["singular"]);
        if (others.Any(t => t.Plural == singular || t.Singular == singular || t.ShortNames.Contains(singular)))
        {
            return ("SingularConflict", Quoted(singular));
        }

        foreach (var shortName in (names["shortNames"] as JsonArray ?? []).Select(n => JsonRead.Str(n)))
        {
            if (others.Any(t => t.Plural == shortName || t.Singular == shortName || t.ShortNames.Contains(shortName)))
            {
                return ("ShortNamesConflict", Quoted(shortName));
            }
        }

        var kind = JsonRead.Str(names["kind"]);
        if (others.Any(t => t.Kind == kind || t.ListKind == kind))
        {
            return ("KindConflict", Quoted(kind));
        }

        var listKind = JsonRead.Str(names["listKind"]);
        return others.Any(t => t.Kind == listKind || t.ListKind == listKind) ? ("ListKindConflict", Quoted(listKind)) : null;
    }

    private static string Quoted(string name) => Admission.FieldErrors.Quote(name) + " is already in use";
}
