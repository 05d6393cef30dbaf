using Ferry.ApiServer.CustomResources.Schema;

namespace Ferry.ApiServer.Tests.CustomResources;

public class StructuralSchemaTests
{
    [Fact]
    public void Parse_ReadsStructureValidationsAndExtensions()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object("""
            {"type":"object","required":["spec"],"properties":{
              "spec":{"type":"object","description":"d","x-kubernetes-map-type":"atomic","properties":{
                "zeta":{"type":"string","pattern":"^z","minLength":1,"maxLength":5,"enum":["z",null]},
                "alpha":{"type":"integer","format":"int32","minimum":0,"exclusiveMaximum":true,"maximum":10.5,"multipleOf":2},
                "list":{"type":"array","minItems":1,"maxItems":3,"uniqueItems":true,"x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],
                  "items":{"type":"object","nullable":true,"properties":{"k":{"type":"string"}}}},
                "map":{"type":"object","minProperties":1,"maxProperties":2,"additionalProperties":{"type":"string","default":"v"}},
                "closed":{"type":"object","additionalProperties":false},
                "port":{"x-kubernetes-int-or-string":true,"format":"int32","anyOf":[{"type":"integer"},{"type":"string"}]},
                "raw":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-embedded-resource":true},
                "when":{"type":"string","format":"date-time"},
                "count":{"type":"integer","format":"date-time","default":null}}}}}
            """));

        Assert.Equal("object", schema.Type);
        Assert.Equal(["spec"], schema.Required);
        var spec = schema.Properties["spec"];
        Assert.Equal(["zeta", "alpha", "list", "map", "closed", "port", "raw", "when", "count"], spec.Properties.Keys);
        Assert.Equal(("d", "atomic"), (spec.Description, spec.MapType));

        var zeta = spec.Properties["zeta"];
        Assert.Equal((1L, 5L, "^z"), (zeta.MinLength, zeta.MaxLength, zeta.Pattern));
        Assert.Matches(zeta.PatternRegex!, "zz");
        Assert.Equal(2, zeta.Enum.Count);
        Assert.Null(zeta.Enum[1]);

        var alpha = spec.Properties["alpha"];
        Assert.Equal((0d, false, 10.5, true, 2d), (alpha.Minimum, alpha.ExclusiveMinimum, alpha.Maximum, alpha.ExclusiveMaximum, alpha.MultipleOf));
        Assert.Equal(("int32", "int32"), (alpha.Format, alpha.ValidationFormat));

        var list = spec.Properties["list"];
        Assert.Equal((1L, 3L, true, "map"), (list.MinItems, list.MaxItems, list.UniqueItems, list.ListType));
        Assert.Equal(["k"], list.ListMapKeys);
        Assert.True(list.Items!.Nullable);

        var map = spec.Properties["map"];
        Assert.Equal((1L, 2L, true, true), (map.MinProperties, map.MaxProperties, map.HasAdditionalProperties, map.AdditionalPropertiesAllowed));
        Assert.Equal("v", (string?)map.AdditionalProperties!.CopyDefault());

        var closed = spec.Properties["closed"];
        Assert.Equal((true, false, null), (closed.HasAdditionalProperties, closed.AdditionalPropertiesAllowed, closed.AdditionalProperties));

        var port = spec.Properties["port"];
        Assert.Equal(["integer", "string"], port.ValidationTypes);
        Assert.Equal(string.Empty, port.ValidationFormat);
        Assert.Equal(["integer", "string"], port.AnyOf.Select(s => s.Type));

        Assert.True(spec.Properties["raw"] is { PreserveUnknownFields: true, EmbeddedResource: true });
        Assert.Equal("date-time", spec.Properties["when"].ValidationFormat);
        Assert.Equal(string.Empty, spec.Properties["count"].ValidationFormat);
        Assert.False(spec.Properties["count"].HasDefault);
        Assert.Empty(schema.ValidationFormat);
        Assert.False(schema.HasAdditionalProperties);
    }

    [Fact]
    public void Parse_InvalidPattern_KeepsTheReason()
    {
        var schema = StructuralSchema.Parse(CrdJson.Object("""{"type":"string","pattern":"+"}"""));
        Assert.Null(schema.PatternRegex);
        Assert.NotNull(schema.PatternError);
    }

    [Fact]
    public void Parse_CopiesDefaults_SoTheSourceMayChange()
    {
        var json = CrdJson.Object("""{"type":"object","default":{"a":1}}""");
        var schema = StructuralSchema.Parse(json);
        json["default"]!["a"] = 2;
        Assert.Equal(1, (int)schema.CopyDefault()!["a"]!);
    }
}
