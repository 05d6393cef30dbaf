using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.CustomResources.Schema;
using Ferry.ApiServer.Strategies;

namespace Ferry.ApiServer.CustomResources;

/// <summary>
/// One version of a custom resource (after apiextensions-apiserver's <c>pkg/registry/customresource/strategy.go</c>):
/// defaults and validation from the version's structural schema (pruning happens as the object is read, see
/// <c>Registry.IncomingObject</c>); with the status subresource a create drops status and main writes keep it;
/// <c>metadata.generation</c> follows every change but metadata's (and status', with the subresource).
/// </summary>
internal sealed class CustomResourceStrategy(CustomResourceVersion version, bool hasStatus) : KindStrategy
{
    private readonly CustomResourceVersion _version = version;
    private readonly bool _hasStatus = hasStatus;

    /// <inheritdoc />
    public override void PrepareForCreate(JsonObject obj)
    {
        if (_hasStatus)
        {
            obj.Remove("status");
        }
    }

    /// <inheritdoc />
    public override void ApplyDefaults(JsonObject obj) => SchemaDefaulting.Apply(obj, _version.Schema);

    /// <inheritdoc />
    public override IReadOnlyList<FieldError> AdmitCreate(JsonObject obj, bool dryRun) => SchemaValidation.Validate(obj, _version.Schema);

    /// <inheritdoc />
    public override IReadOnlyList<FieldError> AdmitUpdate(JsonObject updated, JsonObject old, bool status, bool dryRun) =>
        SchemaValidation.Validate(updated, _version.Schema);

    /// <inheritdoc />
    public override bool BumpsGeneration(JsonObject updated, JsonObject old) =>
        updated.Where(p => p.Key != "metadata" && !(_hasStatus && p.Key == "status"))
            .Concat(old.Where(p => p.Key != "metadata" && !(_hasStatus && p.Key == "status")))
            .Select(p => p.Key)
            .Distinct(StringComparer.Ordinal)
            .Any(key => !JsonNode.DeepEquals(updated[key], old[key]));
}
