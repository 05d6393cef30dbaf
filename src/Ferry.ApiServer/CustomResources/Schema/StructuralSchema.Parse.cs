using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Ferry.ApiServer.CustomResources.Schema.SchemaJson;

namespace Ferry.ApiServer.CustomResources.Schema;

// Building a StructuralSchema from the JSON of an openAPIV3Schema (after apiextensions-apiserver's
// pkg/apiserver/schema/convert.go NewStructural). Lenient: a field of the wrong JSON type is ignored, since
// StructuralSchemaCheck reports those problems when the CRD is admitted.
internal sealed partial class StructuralSchema
{
    // String formats kube-apiserver validates (pkg/apiserver/validation/formats.go), dashes removed as go-openapi
    // normalizes names. Other string formats are ignored by the validator.
    private static readonly HashSet<string> _supportedStringFormats = new(StringComparer.Ordinal)
    {
        "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
        "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date", "duration",
        "datetime", "k8sshortname", "k8slongname",
    };

    /// <summary>Parses a CRD version's <c>schema.openAPIV3Schema</c> (deep-copying what it keeps).</summary>
    public static StructuralSchema Parse(JsonObject openApiV3Schema)
    {
        ArgumentNullException.ThrowIfNull(openApiV3Schema);
        return ParseNode(openApiV3Schema);
    }

    private static StructuralSchema ParseNode(JsonObject json)
    {
        var type = GetString(json, "type");
        var format = GetString(json, "format");
        var intOrString = GetBool(json, "x-kubernetes-int-or-string");
        var pattern = GetString(json, "pattern");
        var (regex, patternError) = CompilePattern(pattern);
        var additional = json["additionalProperties"];
        return new StructuralSchema
        {
            Type = type,
            Format = format,
            Description = GetString(json, "description"),
            Title = GetString(json, "title"),
            Properties = ParseProperties(json["properties"] as JsonObject),
            Required = GetStrings(json, "required"),
            Items = json["items"] is JsonObject items ? ParseNode(items) : null,
            HasAdditionalProperties = additional is JsonObject || IsBool(additional),
            AdditionalProperties = additional is JsonObject additionalSchema ? ParseNode(additionalSchema) : null,
            AdditionalPropertiesAllowed = !IsBool(additional) || additional!.GetValue<bool>(),
            Enum = json["enum"] is JsonArray values ? values.Select(v => v?.DeepClone()).ToArray() : [],
            Pattern = pattern,
            PatternRegex = regex,
            PatternError = patternError,
            Minimum = GetDouble(json, "minimum"),
            ExclusiveMinimum = GetBool(json, "exclusiveMinimum"),
            Maximum = GetDouble(json, "maximum"),
            ExclusiveMaximum = GetBool(json, "exclusiveMaximum"),
            MultipleOf = GetDouble(json, "multipleOf"),
            MinLength = GetLong(json, "minLength"),
            MaxLength = GetLong(json, "maxLength"),
            MinItems = GetLong(json, "minItems"),
            MaxItems = GetLong(json, "maxItems"),
            MinProperties = GetLong(json, "minProperties"),
            MaxProperties = GetLong(json, "maxProperties"),
            UniqueItems = GetBool(json, "uniqueItems"),
            Nullable = GetBool(json, "nullable"),
            Default = json["default"]?.DeepClone(),
            PreserveUnknownFields = GetBool(json, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = intOrString,
            EmbeddedResource = GetBool(json, "x-kubernetes-embedded-resource"),
            ListType = GetOptionalString(json, "x-kubernetes-list-type"),
            ListMapKeys = GetStrings(json, "x-kubernetes-list-map-keys"),
            MapType = GetOptionalString(json, "x-kubernetes-map-type"),
            AllOf = ParseList(json["allOf"]),
            AnyOf = ParseList(json["anyOf"]),
            OneOf = ParseList(json["oneOf"]),
            Not = json["not"] is JsonObject not ? ParseNode(not) : null,
            ValidationTypes = intOrString ? ["integer", "string"] : type.Length > 0 ? [type] : [],
            ValidationFormat = SupportedFormat(intOrString ? string.Empty : type, format),
        };
    }

    private static string SupportedFormat(string type, string format) => format.Length == 0 ? format : type switch
    {
        "" or "string" => _supportedStringFormats.Contains(format.Replace("-", string.Empty, StringComparison.Ordinal)) ? format : string.Empty,
        "integer" => format is "int32" or "int64" ? format : string.Empty,
        "number" => format is "float" or "double" ? format : string.Empty,
        _ => string.Empty,
    };

    private static (Regex? Regex, string? Error) CompilePattern(string pattern)
    {
        if (pattern.Length == 0)
        {
            return (null, null);
        }

        try
        {
            // Non-backtracking: linear time, and like Go's RE2 it rejects backreferences and lookarounds.
            return (new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    private static OrderedDictionary<string, StructuralSchema> ParseProperties(JsonObject? properties)
    {
        var result = new OrderedDictionary<string, StructuralSchema>(StringComparer.Ordinal);
        foreach (var (name, value) in properties ?? [])
        {
            if (value is JsonObject property)
            {
                result[name] = ParseNode(property);
            }
        }

        return result;
    }

    private static StructuralSchema[] ParseList(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonObject>().Select(ParseNode).ToArray() : _noSchemas;

    private static double? GetDouble(JsonObject json, string name) =>
        json[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    private static long? GetLong(JsonObject json, string name) =>
        json[name] is JsonValue value && GoJsonValues.KindOf(value) == GoKind.Int64 && GoJsonValues.TryGetInt64(value, out var result)
            ? result
            : null;
}
