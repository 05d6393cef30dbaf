using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Schema;

namespace Ferry.ApiServer.Tests.CustomResources;

public class GoJsonValuesTests
{
    [Theory]
    [InlineData(1e6, "1e+06")]
    [InlineData(100000.0, "100000")]
    [InlineData(1.5, "1.5")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.234567e-7, "1.234567e-07")]
    [InlineData(123456789.0, "1.23456789e+08")]
    [InlineData(1e21, "1e+21")]
    [InlineData(0.0, "0")]
    public void FormatFloatV_AsGoPercentV(double value, string expected) => Assert.Equal(expected, GoJsonValues.FormatFloatV(value));

    [Theory]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(2.0, "2")]
    [InlineData(-0.5, "-0.5")]
    public void FormatFloatFixed_AsGoStrconv(double value, string expected) => Assert.Equal(expected, GoJsonValues.FormatFloatFixed(value));

    [Fact]
    public void Marshal_AsGoEncodingJson()
    {
        var value = JsonNode.Parse("""{"b":1,"a":[1.5,"<x>&",true,null],"c":1e-7,"d":1e21,"e":2.0,"f":"\u00e9"}""");
        Assert.Equal("{\"a\":[1.5,\"\\u003cx\\u003e\\u0026\",true,null],\"b\":1,\"c\":1e-7,\"d\":1e+21,\"e\":2,\"f\":\"é\"}", GoJsonValues.Marshal(value));
    }

    [Theory]
    [InlineData("1", "Int64")]
    [InlineData("-0", "Int64")]
    [InlineData("1.0", "Float64")]
    [InlineData("1e3", "Float64")]
    [InlineData("9223372036854775808", "Float64")]
    [InlineData("\"1\"", "String")]
    [InlineData("null", "Null")]
    [InlineData("[]", "Slice")]
    [InlineData("{}", "Map")]
    public void KindOf_AsKubeApiserverDecodes(string json, string expected) => Assert.Equal(expected, GoJsonValues.KindOf(JsonNode.Parse(json)).ToString());

    [Theory]
    [InlineData("1.7", "1", true)]
    [InlineData("97", "\"a\"", true)]
    [InlineData("1", "1.0", true)]
    [InlineData("1", "1.5", false)]
    [InlineData("\"1\"", "1", false)]
    [InlineData("null", "null", false)]
    [InlineData("{\"a\":1}", "{\"a\":1}", true)]
    [InlineData("{\"a\":1}", "{\"a\":1.0}", false)]
    public void EnumMatches_AsReflectConversion(string data, string enumValue, bool expected) =>
        Assert.Equal(expected, GoJsonValues.EnumMatches(JsonNode.Parse(data), JsonNode.Parse(enumValue)));
}
