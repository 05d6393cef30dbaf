using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Strategies;

namespace Ferry.ApiServer.CustomResources;

/// <summary>
/// CustomResourceDefinitions (after apiextensions-apiserver's <c>pkg/registry/customresourcedefinition</c>):
/// v1 defaults, validation, the status its controllers would write (set at once here), generation on spec
/// changes only, and a deletion that waits for its custom resources to go (<see cref="DefinitionNames.CleanupFinalizer"/>).
/// </summary>
internal sealed class DefinitionStrategy(ResourceCatalog catalog, TimeProvider time) : KindStrategy
{
    private readonly ResourceCatalog _catalog = catalog;
    private readonly TimeProvider _time = time;

    /// <inheritdoc />
    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }

        if (spec["names"] is JsonObject names && JsonRead.Str(names["kind"]) is { Length: > 0 } kind)
        {
            if (JsonRead.Str(names["singular"]).Length == 0)
            {
                names["singular"] = kind.ToLowerInvariant();
            }

            if (JsonRead.Str(names["listKind"]).Length == 0)
            {
                names["listKind"] = kind + "List";
            }
        }

        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
    }

    /// <inheritdoc />
    public override void PrepareForCreate(JsonObject obj) => obj.Remove("status");

    /// <inheritdoc />
    public override IReadOnlyList<FieldError> AdmitCreate(JsonObject obj, bool dryRun)
    {
        var errors = DefinitionValidation.Validate(obj, old: null);
        if (errors.Count == 0)
        {
            DefinitionStatus.Update(obj, _catalog, Registry.ObjectMetadata.Timestamp(_time));
        }

        return errors;
    }

    /// <inheritdoc />
    public override IReadOnlyList<FieldError> AdmitUpdate(JsonObject updated, JsonObject old, bool status, bool dryRun)
    {
        if (status)
        {
            return [];
        }

        var errors = DefinitionValidation.Validate(updated, old);
        if (errors.Count == 0)
        {
            DefinitionStatus.Update(updated, _catalog, Registry.ObjectMetadata.Timestamp(_time));
        }

        return errors;
    }

    /// <inheritdoc />
    public override bool BumpsGeneration(JsonObject updated, JsonObject old) => !JsonNode.DeepEquals(updated["spec"], old["spec"]);

    /// <inheritdoc />
    public override bool AlwaysGracefulDelete => true;

    /// <inheritdoc />
    public override void PrepareForGracefulDelete(JsonObject obj)
    {
        var meta = Registry.ObjectMetadata.Of(obj);
        var finalizers = meta["finalizers"] as JsonArray ?? [];
        meta["finalizers"] = finalizers;
        if (!finalizers.Any(f => JsonRead.Str(f) == DefinitionNames.CleanupFinalizer))
        {
            finalizers.Add(DefinitionNames.CleanupFinalizer);
        }

        DefinitionStatus.SetCondition(obj, DefinitionNames.Terminating, "True", "InstanceDeletionPending",
            "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", Registry.ObjectMetadata.Timestamp(_time));
    }
}
