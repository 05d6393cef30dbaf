using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Schema;

namespace Ferry.ApiServer.Tests.CustomResources;

// Expected texts follow kube-openapi's messages and apiextensions-apiserver's ValidateCustomResource conversion; the
// tables marked "upstream" are taken from apiextensions-apiserver's pkg/apiserver/validation/validation_test.go.
public class SchemaValidationTests
{
    private const string ObjectField = """{"type":"object","properties":{"field":{"type":"object"}}}""";
    private const string IntOrString = """{"type":"object","properties":{"field":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}}}""";
    private const string NestedEnums = """
        {"type":"object","properties":{"field":{"type":"object","required":["nestedint","nestedstring"],"properties":{
          "nestedint":{"type":"integer","enum":[1,2]},"nestedstring":{"type":"string","enum":["a","b"]}}}}}
        """;
    private const string NumericFormats = """
        {"type":"object","properties":{"intThirtyTwo":{"type":"integer","format":"int32"},"intSixtyFour":{"type":"integer","format":"int64"},
          "floatThreeTwo":{"type":"number","format":"float"},"floatSixFour":{"type":"number","format":"double"}}}
        """;
    private const string Limits = """
        {"type":"object","properties":{"fieldX":{"type":"object","maxProperties":2,"additionalProperties":{"type":"boolean"}},
          "listX":{"type":"array","maxItems":2,"items":{"type":"string"}},"textX":{"type":"string","maxLength":2}}}
        """;

    [Theory]
    [InlineData(ObjectField, """{"field":"foo"}""", new[] { "field: Invalid value: \"string\": field in body must be of type object: \"string\"" })]
    [InlineData(ObjectField, """{"field":42}""", new[] { "field: Invalid value: \"integer\": field in body must be of type object: \"integer\"" })]
    [InlineData(ObjectField, """{"field":true}""", new[] { "field: Invalid value: \"boolean\": field in body must be of type object: \"boolean\"" })]
    [InlineData(ObjectField, """{"field":1.2}""", new[] { "field: Invalid value: \"number\": field in body must be of type object: \"number\"" })]
    [InlineData(ObjectField, """{"field":[]}""", new[] { "field: Invalid value: \"array\": field in body must be of type object: \"array\"" })]
    [InlineData(ObjectField, """{"field":null}""", new[] { "field: Invalid value: \"null\": field in body must be of type object: \"null\"" })]
    [InlineData(IntOrString, """{"field":true}""", new[]
    {
        "field: Invalid value: \"boolean\": field in body must be of type integer,string: \"boolean\"",
        """<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)""",
        "field: Invalid value: \"boolean\": field in body must be of type integer: \"boolean\"",
    })]
    [InlineData(IntOrString, """{"field":1.2}""", new[]
    {
        "field: Invalid value: \"number\": field in body must be of type integer,string: \"number\"",
        """<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)""",
        "field: Invalid value: \"number\": field in body must be of type integer: \"number\"",
        """<nil>: Invalid value: "": Checked value must be of type integer (default format) in field""",
    })]
    [InlineData(NestedEnums, """{"field":{}}""", new[] { "field.nestedint: Required value", "field.nestedstring: Required value" })]
    [InlineData(NestedEnums, """{"field":{"nestedint":"x","nestedstring":true}}""", new[]
    {
        "field.nestedint: Invalid value: \"string\": field.nestedint in body must be of type integer: \"string\"",
        "field.nestedint: Unsupported value: \"x\": supported values: \"1\", \"2\"",
        "field.nestedstring: Invalid value: \"boolean\": field.nestedstring in body must be of type string: \"boolean\"",
        "field.nestedstring: Unsupported value: true: supported values: \"a\", \"b\"",
    })]
    [InlineData(Limits, """{"fieldX":{"a":true,"b":true,"c":true}}""", new[] { "fieldX: Too many: 3: must have at most 2 items" })]
    [InlineData(Limits, """{"listX":["a","b","c"]}""", new[] { "listX: Too many: 3: must have at most 2 items" })]
    [InlineData(Limits, """{"textX":"abc"}""", new[] { "textX: Too long: may not be more than 2 bytes" })]
    [InlineData(NumericFormats, """{"intThirtyTwo":2147483648}""", new[] { """<nil>: Invalid value: "": Checked value must be of type integer with format int32 in intThirtyTwo""" })]
    [InlineData(NumericFormats, """{"intSixtyFour":10145709240648151040}""", new[]
    {
        "intSixtyFour: Invalid value: \"float64\": intSixtyFour in body must be of type int64: \"float64\"",
        """<nil>: Invalid value: "": Checked value must be of type integer with format int64 in intSixtyFour""",
    })]
    [InlineData(NumericFormats, """{"floatThreeTwo":3.7431e38}""", new[] { """<nil>: Invalid value: "": Checked value must be of type number with format float in floatThreeTwo""" })]
    public void Validate_UpstreamTables(string schema, string obj, string[] expected) =>
        Assert.Equal(expected, Errors(schema, obj));

    [Theory]
    [InlineData(ObjectField, """{"field":{}}""")]
    [InlineData(IntOrString, """{"field":42}""")]
    [InlineData(IntOrString, """{"field":"foo"}""")]
    [InlineData(NestedEnums, """{"field":{"nestedint":2,"nestedstring":"a"}}""")]
    [InlineData(NumericFormats, """{"intThirtyTwo":-2147483648,"intSixtyFour":9223372036854775807,"floatThreeTwo":3.4028234e38,"floatSixFour":1.7e308}""")]
    public void Validate_ValidObjects_NoErrors(string schema, string obj) => Assert.Empty(Errors(schema, obj));

    private const string Spec = """
        {"type":"object","required":["spec"],"properties":{
          "metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":1}}},
          "spec":{"type":"object","required":["addresses"],"properties":{
            "addresses":{"type":"array","minItems":1,"items":{"type":"string"}},
            "replicas":{"type":"integer","minimum":1,"maximum":10},
            "ratio":{"type":"number","minimum":0,"exclusiveMinimum":true,"maximum":1,"exclusiveMaximum":true},
            "big":{"type":"number","maximum":1e6},
            "step":{"type":"integer","multipleOf":5},
            "name":{"type":"string","minLength":3,"pattern":"^[a-z]+$"},
            "short":{"type":"string","maxLength":3},
            "tags":{"type":"array","uniqueItems":true,"items":{"type":"string"}},
            "labels":{"type":"object","minProperties":1,"additionalProperties":{"type":"string"}},
            "items":{"type":"array","items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer"}}}},
            "note":{"type":"string"},
            "maybe":{"type":"string","nullable":true},
            "raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"string"}}}}}}}
        """;

    [Theory]
    [InlineData("""{"metadata":{"name":"too-long"}}""", new[] { "spec: Required value" })]
    [InlineData("""{"spec":{}}""", new[] { "spec.addresses: Required value" })]
    [InlineData("""{"spec":{"addresses":[]}}""", new[] { "spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items" })]
    [InlineData("""{"spec":{"addresses":["a"],"replicas":0}}""", new[] { "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1" })]
    [InlineData("""{"spec":{"addresses":["a"],"replicas":11}}""", new[] { "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10" })]
    [InlineData("""{"spec":{"addresses":["a"],"ratio":0}}""", new[] { "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0" })]
    [InlineData("""{"spec":{"addresses":["a"],"ratio":1.5}}""", new[] { "spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1" })]
    [InlineData("""{"spec":{"addresses":["a"],"big":2000000.5}}""", new[] { "spec.big: Invalid value: 2.0000005e+06: spec.big in body should be less than or equal to 1e+06" })]
    [InlineData("""{"spec":{"addresses":["a"],"step":7}}""", new[] { "spec.step: Invalid value: 7: spec.step in body should be a multiple of 5" })]
    [InlineData("""{"spec":{"addresses":["a"],"replicas":2.5}}""", new[]
    {
        "spec.replicas: Invalid value: \"number\": spec.replicas in body must be of type integer: \"number\"",
        """<nil>: Invalid value: "": Checked value must be of type integer (default format) in spec.replicas""",
    })]
    [InlineData("""{"spec":{"addresses":["a"],"name":"ab"}}""", new[] { """spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long""" })]
    [InlineData("""{"spec":{"addresses":["a"],"name":"Abc"}}""", new[] { """spec.name: Invalid value: "Abc": spec.name in body should match '^[a-z]+$'""" })]
    [InlineData("""{"spec":{"addresses":["a"],"short":"abcd"}}""", new[] { "spec.short: Too long: may not be more than 3 bytes" })]
    [InlineData("""{"spec":{"addresses":["a"],"tags":["x","y","x"]}}""", new[] { """spec.tags: Invalid value: "": spec.tags in body shouldn't contain duplicates""" })]
    [InlineData("""{"spec":{"addresses":["a"],"labels":{}}}""", new[] { "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties" })]
    [InlineData("""{"spec":{"addresses":["a"],"labels":{"foo":1}}}""", new[] { "spec.labels.foo: Invalid value: \"integer\": spec.labels.foo in body must be of type string: \"integer\"" })]
    [InlineData("""{"spec":{"addresses":["a"],"items":[{"port":80},{"name":"b","port":"80"}]}}""", new[]
    {
        "spec.items[0].name: Required value",
        "spec.items[1].port: Invalid value: \"string\": spec.items[1].port in body must be of type integer: \"string\"",
    })]
    [InlineData("""{"spec":{"addresses":["a"],"note":null}}""", new[] { "spec.note: Invalid value: \"null\": spec.note in body must be of type string: \"null\"" })]
    [InlineData("""{"spec":{"addresses":["a"],"raw":{"known":1,"other":1}}}""", new[] { "spec.raw.known: Invalid value: \"integer\": spec.raw.known in body must be of type string: \"integer\"" })]
    [InlineData("""{"spec":{"addresses":[1],"replicas":"x","labels":{}}}""", new[]
    {
        "spec.addresses[0]: Invalid value: \"integer\": spec.addresses[0] in body must be of type string: \"integer\"",
        "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
        "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties",
    })]
    public void Validate_Spec(string obj, string[] expected) => Assert.Equal(expected, Errors(Spec, obj));

    [Theory]
    [InlineData("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"longer than one"},"spec":{"addresses":["a"],"maybe":null,"ratio":0.5,"replicas":3.0,"short":"ééé","raw":{"other":[1]}}}""")]
    public void Validate_ValidResource_NoErrors(string obj) => Assert.Empty(Errors(Spec, obj));

    [Fact]
    public void Validate_IdenticalMessages_AreReportedOnce()
    {
        const string schema = """{"type":"object","properties":{"x":{"type":"string","allOf":[{"maxLength":1},{"maxLength":1}]}}}""";
        Assert.Equal(
            ["x: Too long: may not be more than 1 byte", """<nil>: Invalid value: "": "x" must validate all the schemas (allOf). None validated"""],
            Errors(schema, """{"x":"abc"}"""));
    }

    [Fact]
    public void ValidateValue_WithFieldPath_ReportsBelowIt()
    {
        // As apiextensions-apiserver's test/integration/subresources_test.go sees a status update.
        var schema = StructuralSchema.Parse(CrdJson.Object("""{"type":"object","properties":{"num":{"type":"integer","maximum":10}}}"""));
        var errors = SchemaValidation.ValidateValue(CrdJson.Object("""{"num":15}"""), schema, "status");
        Assert.Equal(["status.num: Invalid value: 15: num in body should be less than or equal to 10"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateValue_ScalarAtRoot_HasEmptyOpenApiPath()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object("""{"type":"integer"}"""));
        var errors = SchemaValidation.ValidateValue(JsonValue.Create("one"), schema, "x.default");
        Assert.Equal(["x.default: Invalid value: \"string\":  in body must be of type integer: \"string\""], errors.Select(e => e.ToString()));
        Assert.Equal("FieldValueTypeInvalid", errors[0].Type);
    }

    private static string[] Errors(string schema, string obj) =>
        SchemaValidation.Validate(CrdJson.Object(obj), StructuralSchema.Parse(CrdJson.Object(schema))).Select(e => e.ToString()).ToArray();
}
