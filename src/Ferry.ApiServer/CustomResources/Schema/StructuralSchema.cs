using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ferry.ApiServer.CustomResources.Schema;

/// <summary>
/// One node of a CustomResourceDefinition version's <c>schema.openAPIV3Schema</c>, after apiextensions-apiserver's
/// pkg/apiserver/schema/structural.go (its <c>Structural</c>, with the value validations and the logical junctors kept
/// as nested schemas, as kube-openapi's validator sees them). Built by <see cref="Parse"/>; immutable once built, so it
/// can be shared between requests. <see cref="Default"/> and <see cref="Enum"/> values are shared nodes: never mutate
/// them (insert <see cref="CopyDefault"/> instead).
/// </summary>
internal sealed partial class StructuralSchema
{
    private static readonly StructuralSchema[] _noSchemas = [];

    /// <summary><c>type</c>, or empty when unset.</summary>
    public string Type { get; private init; } = string.Empty;

    /// <summary><c>format</c> as written, or empty.</summary>
    public string Format { get; private init; } = string.Empty;

    public string Description { get; private init; } = string.Empty;

    public string Title { get; private init; } = string.Empty;

    /// <summary><c>properties</c> in the order the schema lists them (empty when unset).</summary>
    public IReadOnlyDictionary<string, StructuralSchema> Properties { get; private init; } = new Dictionary<string, StructuralSchema>();

    public IReadOnlyList<string> Required { get; private init; } = [];

    public StructuralSchema? Items { get; private init; }

    /// <summary>Whether <c>additionalProperties</c> is set at all (as a schema or as a boolean).</summary>
    public bool HasAdditionalProperties { get; private init; }

    /// <summary><c>additionalProperties</c> as a schema, or null (unset, or a boolean).</summary>
    public StructuralSchema? AdditionalProperties { get; private init; }

    /// <summary>Whether <c>additionalProperties</c> allows other keys: <c>false</c> only for <c>additionalProperties: false</c>.</summary>
    public bool AdditionalPropertiesAllowed { get; private init; } = true;

    /// <summary><c>enum</c> values (a JSON <c>null</c> entry is a null element); empty when unset.</summary>
    public IReadOnlyList<JsonNode?> Enum { get; private init; } = [];

    public string Pattern { get; private init; } = string.Empty;

    /// <summary><see cref="Pattern"/> compiled (linear-time, like Go's RE2), or null when unset or invalid.</summary>
    public Regex? PatternRegex { get; private init; }

    /// <summary>Why <see cref="Pattern"/> does not compile, or null.</summary>
    public string? PatternError { get; private init; }

    public double? Minimum { get; private init; }

    public bool ExclusiveMinimum { get; private init; }

    public double? Maximum { get; private init; }

    public bool ExclusiveMaximum { get; private init; }

    public double? MultipleOf { get; private init; }

    public long? MinLength { get; private init; }

    public long? MaxLength { get; private init; }

    public long? MinItems { get; private init; }

    public long? MaxItems { get; private init; }

    public long? MinProperties { get; private init; }

    public long? MaxProperties { get; private init; }

    public bool UniqueItems { get; private init; }

    public bool Nullable { get; private init; }

    /// <summary><c>default</c> (shared: never mutate), or null when unset or JSON <c>null</c> (upstream ignores a null default).</summary>
    public JsonNode? Default { get; private init; }

    public bool HasDefault => Default is not null;

    public bool PreserveUnknownFields { get; private init; }

    public bool IntOrString { get; private init; }

    public bool EmbeddedResource { get; private init; }

    /// <summary><c>x-kubernetes-list-type</c>, or null.</summary>
    public string? ListType { get; private init; }

    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];

    /// <summary><c>x-kubernetes-map-type</c>, or null.</summary>
    public string? MapType { get; private init; }

    public IReadOnlyList<StructuralSchema> AllOf { get; private init; } = _noSchemas;

    public IReadOnlyList<StructuralSchema> AnyOf { get; private init; } = _noSchemas;

    public IReadOnlyList<StructuralSchema> OneOf { get; private init; } = _noSchemas;

    public StructuralSchema? Not { get; private init; }

    /// <summary>
    /// The types kube-openapi checks: <c>[integer, string]</c> for <c>x-kubernetes-int-or-string</c>, else <see cref="Type"/>
    /// alone, else none (after apiextensions-apiserver's pkg/apiserver/validation/validation.go conversion).
    /// </summary>
    public IReadOnlyList<string> ValidationTypes { get; private init; } = [];

    /// <summary>
    /// <see cref="Format"/> as the validator sees it: emptied when the type does not support it (after
    /// apiextensions-apiserver's pkg/apiserver/validation/formats.go <c>StripUnsupportedFormatsPostProcessorForVersion</c>).
    /// </summary>
    public string ValidationFormat { get; private init; } = string.Empty;

    /// <summary>A deep copy of <see cref="Default"/> to insert into an object.</summary>
    public JsonNode? CopyDefault() => Default?.DeepClone();
}
