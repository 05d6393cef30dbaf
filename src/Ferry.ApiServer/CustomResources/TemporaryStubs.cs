// TEMPORARY: replaced by the schema and printing branches at merge.
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.CustomResources.Schema;

internal sealed class StructuralSchema
{
    public static StructuralSchema Parse(JsonObject openApiV3Schema) => new();
}

internal static class SchemaValidation
{
    public static List<FieldError> Validate(JsonObject obj, StructuralSchema schema) => [];
}

internal static class SchemaDefaulting
{
    public static void Apply(JsonObject obj, StructuralSchema schema)
    {
    }
}

internal static class SchemaPruning
{
    public static List<string> Prune(JsonObject obj, StructuralSchema schema) => [];
}

internal static class StructuralSchemaCheck
{
    public static List<FieldError> Validate(JsonObject openApiV3Schema, string fieldPath) => [];
}
