using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// Admission in kube-apiserver's order: the kind's defaulting, ObjectMeta validation for every kind, then the
/// kind's own admission (<see cref="ResourceType.Strategy"/>). Called under the store lock, so allocations and
/// writes are serialized together. Field errors leave as 422 Invalid.
/// </summary>
internal static class AdmissionChain
{
    /// <summary>Defaults, validates and allocates for a new object.</summary>
    public static void OnCreate(ResourceType type, JsonObject obj, bool dryRun)
    {
        type.Strategy.ApplyDefaults(obj);
        Throw(type, obj, ObjectMetaValidator.Validate(obj, type.Namespaced, ObjectMetaValidator.NameRuleFor(type.Kind)));
        Throw(type, obj, type.Strategy.AdmitCreate(obj, dryRun));
    }

    /// <summary>
    /// Prunes fields the emulated version does not know (each added to <paramref name="warnings"/> as kube-apiserver words
    /// it), then defaults, validates and (re)allocates for an update of <paramref name="old"/> into <paramref name="obj"/>.
    /// </summary>
    public static void OnUpdate(ResourceType type, JsonObject obj, JsonObject old, bool status, bool dryRun, List<string> warnings)
    {
        warnings.AddRange(type.Strategy.PruneUnknownFields(obj, status).Select(path => "unknown field \"" + path + "\""));
        type.Strategy.ApplyDefaults(obj);
        Throw(type, obj, ObjectMetaValidator.ValidateUpdate(obj, old));
        Throw(type, obj, type.Strategy.AdmitUpdate(obj, old, status, dryRun));
    }

    /// <summary>Releases what the object held once it is really gone.</summary>
    public static void OnDelete(ResourceType type, JsonObject obj) => type.Strategy.Released(obj);

    private static void Throw(ResourceType type, JsonObject obj, IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, JsonRead.Str(obj["metadata"]?["name"]), errors);
        }
    }
}
