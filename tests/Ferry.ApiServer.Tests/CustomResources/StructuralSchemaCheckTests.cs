using Ferry.ApiServer.CustomResources.Schema;

namespace Ferry.ApiServer.Tests.CustomResources;

// Expected texts follow apiextensions-apiserver's pkg/apiserver/schema/validation.go and complete.go,
// defaulting/validation.go and pkg/apis/apiextensions/validation/validation.go.
public class StructuralSchemaCheckTests
{
    private const string P = "spec.versions[0].schema.openAPIV3Schema";

    [Theory]
    [InlineData("""{"type":"string"}""", new[] { P + ".type: Invalid value: \"string\": must be object at the root" })]
    [InlineData("{}", new[] { P + ".type: Required value: must not be empty at the root" })]
    [InlineData("""{"type":"object","nullable":true}""", new[] { P + ".nullable: Forbidden: nullable cannot be true at the root" })]
    [InlineData("""{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}""",
        new[] { P + ".properties[spec].type: Required value: must not be empty for specified object fields" })]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array","items":{}}}}""",
        new[] { P + ".properties[list].items.type: Required value: must not be empty for specified array items" })]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array"}}}""", new[] { P + ".properties[list].items: Required value: must be specified" })]
    [InlineData("""{"type":"object","properties":{"b":{},"a":{}}}""", new[]
    {
        P + ".properties[a].type: Required value: must not be empty for specified object fields",
        P + ".properties[b].type: Required value: must not be empty for specified object fields",
    })]
    [InlineData("""{"type":"object","additionalProperties":{"type":"string"}}""", new[] { P + ".additionalProperties: Forbidden: must not be used at the root" })]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}}}""",
        new[] { P + ".properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive" })]
    [InlineData("""{"type":"object","properties":{"port":{"x-kubernetes-int-or-string":true,"x-kubernetes-preserve-unknown-fields":true}}}""",
        new[] { P + ".properties[port].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true" })]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","allOf":[{"type":"string"}]}}}""",
        new[] { P + ".properties[a].allOf[0].type: Forbidden: must be empty to be structural" })]
    [InlineData("""{"type":"object","properties":{"tags":{"type":"array","uniqueItems":true,"items":{"type":"string"}}}}""",
        new[] { P + ".properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic" })]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}""",
        new[] { P + ".properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified" })]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","default":{}}}}""",
        new[] { P + ".properties[metadata].default: Forbidden: must not be set in top-level metadata" })]
    [InlineData("""{"type":"object","properties":{"a":{"type":"foo"}}}""",
        new[] { P + ".properties[a].type: Unsupported value: \"foo\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\"" })]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array","x-kubernetes-list-type":"map","items":{"type":"object","properties":{"name":{"type":"string"}}}}}}""",
        new[] { P + ".properties[list].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map" })]
    [InlineData("""{"type":"object","properties":{"list":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"items":{"type":"object","properties":{"name":{"type":"string"}}}}}}""",
        new[] { P + ".properties[list].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property" })]
    [InlineData("""{"type":"object","properties":{"m":{"type":"string","x-kubernetes-map-type":"atomic"}}}""",
        new[] { P + ".properties[m].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified" })]
    [InlineData("""{"type":"object","$schema":"http://json-schema.org/draft-04/schema#"}""", new[] { P + ": Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported" })]
    public void Validate_Table(string schema, string[] expected) => Assert.Equal(expected, Check(schema, P));

    [Theory]
    [InlineData("""{"type":"object","properties":{"replicas":{"type":"integer","default":"one"}}}""",
        new[] { P + ".properties[replicas].default: Invalid value: \"string\":  in body must be of type integer: \"string\"" })]
    [InlineData("""{"type":"object","properties":{"mode":{"type":"string","enum":["a"],"default":"b"}}}""",
        new[] { P + ".properties[mode].default: Unsupported value: \"b\": supported values: \"a\"" })]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"default":{"b":1,"a":"x"}}}}""",
        new[] { P + ".properties[spec].default: Invalid value: {\"a\":\"x\",\"b\":1}: must not have unknown fields" })]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string","maxLength":1}},"default":{"a":"xy"}}}}""",
        new[] { P + ".properties[spec].default.a: Too long: may not be more than 1 byte" })]
    public void Validate_Defaults(string schema, string[] expected) => Assert.Equal(expected, Check(schema, P));

    [Fact]
    public void Validate_DefaultsAreNotCheckedWhileTheSchemaIsNotStructural()
    {
        const string schema = """{"type":"object","properties":{"a":{},"b":{"type":"integer","default":"x"}}}""";
        Assert.Equal([P + ".properties[a].type: Required value: must not be empty for specified object fields"], Check(schema, P));
    }

    [Fact]
    public void Validate_JunctorPropertyMissingOutside_UpstreamText()
    {
        // As in apiextensions-apiserver's pkg/apiserver/schema/validation_test.go (nil root path).
        const string schema = """{"type":"object","properties":{"bar":{"type":"string"}},"allOf":[{"properties":{"foo":{"minLength":1}}}]}""";
        Assert.Equal(["properties[foo]: Required value: because it is defined in allOf[0].properties[foo]"], Check(schema, string.Empty));
    }

    [Theory]
    [InlineData("""
        {"type":"object","required":["spec"],"properties":{
          "apiVersion":{"type":"string"},"kind":{"type":"string"},"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":20}}},
          "spec":{"type":"object","properties":{
            "replicas":{"type":"integer","default":1,"minimum":0},
            "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"default":"http"},
            "labels":{"type":"object","additionalProperties":{"type":"string"}},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
            "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port"],
              "items":{"type":"object","required":["port"],"properties":{"port":{"type":"integer"},"name":{"type":"string"}}}},
            "mode":{"type":"string","enum":["a","b"],"default":"a","pattern":"^[ab]$"}}},
          "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}
        """)]
    public void Validate_TypicalSchema_NoErrors(string schema) => Assert.Empty(Check(schema, P));

    private static string[] Check(string schema, string path) =>
        StructuralSchemaCheck.Validate(CrdJson.Object(schema), path).Select(e => e.ToString()).ToArray();
}
