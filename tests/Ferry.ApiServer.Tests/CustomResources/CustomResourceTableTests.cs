using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Printing;
using Ferry.ApiServer.Tables;

namespace Ferry.ApiServer.Tests.CustomResources;

public class CustomResourceTableTests
{
    private static readonly DateTimeOffset _now = new(2025, 1, 1, 2, 30, 0, TimeSpan.Zero);

    private static readonly JsonObject _addressPoolVersion = JsonNode.Parse("""
        {"name":"v1","served":true,"storage":true,
         "additionalPrinterColumns":[
           {"name":"Addresses","type":"string","jsonPath":".spec.addresses"},
           {"name":"Allocated","type":"integer","format":"int32","description":"Addresses handed out","jsonPath":".status.allocated"},
           {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},
           {"name":"Auto","type":"boolean","priority":1,"jsonPath":".spec.autoAssign"},
           {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]}
        """)!.AsObject();

    private static readonly JsonObject _poolA = JsonNode.Parse("""
        {"apiVersion":"ferry.example/v1","kind":"AddressPool",
         "metadata":{"name":"pool-a","namespace":"default","uid":"u-a","resourceVersion":"12","creationTimestamp":"2025-01-01T00:00:00Z"},
         "spec":{"addresses":["10.0.0.0/24","10.0.1.0/24"],"autoAssign":true},
         "status":{"allocated":3,"conditions":[{"type":"Progressing","status":"False"},{"type":"Ready","status":"True"}]}}
        """)!.AsObject();

    private static readonly JsonObject _poolB = JsonNode.Parse("""
        {"apiVersion":"ferry.example/v1","kind":"AddressPool",
         "metadata":{"name":"pool-b","namespace":"default","uid":"u-b","resourceVersion":"13","creationTimestamp":"2024-12-31T02:00:00Z"},
         "spec":{"addresses":[]}}
        """)!.AsObject();

    [Fact]
    public void Build_AddressPool_ColumnsAndCells()
    {
        var table = CustomResourceTable.Build(PrinterColumn.FromVersion(_addressPoolVersion), [_poolA, _poolB], "14", _now, "None", withHeaders: true);

        AssertJson($$"""
            {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"14"},
             "columnDefinitions":[
               {"name":"Name","type":"string","format":"name","description":{{JsonValue.Create(TableBuilder.NameDescription).ToJsonString()}},"priority":0},
               {"name":"Addresses","type":"string","format":"","description":"Custom resource definition column (in JSONPath format): .spec.addresses","priority":0},
               {"name":"Allocated","type":"integer","format":"int32","description":"Addresses handed out","priority":0},
               {"name":"Ready","type":"string","format":"","description":"Custom resource definition column (in JSONPath format): .status.conditions[?(@.type==\"Ready\")].status","priority":0},
               {"name":"Auto","type":"boolean","format":"","description":"Custom resource definition column (in JSONPath format): .spec.autoAssign","priority":1},
               {"name":"Age","type":"date","format":"","description":"Custom resource definition column (in JSONPath format): .metadata.creationTimestamp","priority":0}],
             "rows":[
               {"cells":["pool-a","[\"10.0.0.0/24\",\"10.0.1.0/24\"]",3,"True",true,"150m"]},
               {"cells":["pool-b","[]",null,null,null,"24h"]}]}
            """, table);
    }

    [Fact]
    public void Build_NoColumnsDeclared_ServesAge()
    {
        var version = JsonNode.Parse("""{"name":"v1","served":true,"storage":true}""")!.AsObject();

        var table = CustomResourceTable.Build(PrinterColumn.FromVersion(version), [_poolA], null, _now, "None", withHeaders: true);

        var definitions = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Age"], definitions.Select(d => (string)d!["name"]!));
        Assert.Equal("date", (string)definitions[1]!["type"]!);
        Assert.Equal(TableBuilder.AgeDescription, (string)definitions[1]!["description"]!);
        AssertJson("""["pool-a","150m"]""", table["rows"]![0]!["cells"]);
        Assert.Null(table["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public void Build_IncludeObject_AsBuiltInTables()
    {
        var columns = new[] { PrinterColumn.Age };

        var metadata = CustomResourceTable.Build(columns, [_poolA], null, _now, "Metadata", withHeaders: false);
        var whole = CustomResourceTable.Build(columns, [_poolA], null, _now, "Object", withHeaders: false);

        Assert.Null(metadata["columnDefinitions"]);
        AssertJson($$"""{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{{_poolA["metadata"]!.ToJsonString()}}}""", metadata["rows"]![0]!["object"]);
        AssertJson(_poolA.ToJsonString(), whole["rows"]![0]!["object"]);
    }

    [Fact]
    public void Build_UnparsableColumn_EndsTheColumnsThere()
    {
        PrinterColumn[] columns =
        [
            new("First", "string", "", "", 0, ".metadata.name"),
            new("Broken", "string", "", "", 0, ".spec.addresses[0"),
            new("After", "string", "", "", 0, ".metadata.uid"),
        ];

        var table = CustomResourceTable.Build(columns, [_poolA], null, _now, "None", withHeaders: true);

        Assert.Equal(["Name", "First"], table["columnDefinitions"]!.AsArray().Select(d => (string)d!["name"]!));
        AssertJson("""["pool-a","pool-a"]""", table["rows"]![0]!["cells"]);
    }

    /// <summary>Upstream's "multiple string/integer values" table tests: only the first value of the path counts.</summary>
    [Fact]
    public void Build_MultipleValues_FirstOnly()
    {
        var blah = JsonNode.Parse("""
            {"apiVersion":"example.istio.io/v1alpha1","kind":"Blah","metadata":{"name":"blah"},
             "spec":{"servers":[{"hosts":["foo"]},{"hosts":["bar","baz"]}],"foo":[{"bar":[1]},{"bar":[2,3]}]}}
            """)!.AsObject();
        string[] paths = [".spec.servers[0].hosts[0]", ".spec.servers[0].hosts", ".spec.servers[1].hosts", ".spec.servers[*].hosts",
            ".spec.foo[0].bar[0]", ".spec.foo[0].bar", ".spec.foo[1].bar", ".spec.foo[*].bar"];
        var asStrings = paths.Select(p => new PrinterColumn(p, "string", "", "", 0, p)).ToList();
        var asIntegers = paths[4..].Select(p => new PrinterColumn(p, "integer", "", "", 0, p)).ToList();

        AssertJson("""["blah","foo","[\"foo\"]","[\"bar\",\"baz\"]","[\"foo\"]","1","[1]","[2,3]","[1]"]""",
            CustomResourceTable.Build(asStrings, [blah], null, _now, "None", false)["rows"]![0]!["cells"]);
        AssertJson("""["blah",1,null,null,null]""",
            CustomResourceTable.Build(asIntegers, [blah], null, _now, "None", false)["rows"]![0]!["cells"]);
    }

    /// <summary>Upstream's <c>Test_cellForJSONValue</c>, plus how string columns print each kind.</summary>
    [Theory]
    [InlineData("integer", "42", "42")]
    [InlineData("integer", "3.14", "3")]
    [InlineData("integer", "true", "null")]
    [InlineData("integer", "\"foo\"", "null")]
    [InlineData("number", "42", "42")]
    [InlineData("number", "3.14", "3.14")]
    [InlineData("number", "true", "null")]
    [InlineData("number", "\"foo\"", "null")]
    [InlineData("boolean", "42", "null")]
    [InlineData("boolean", "true", "true")]
    [InlineData("boolean", "\"foo\"", "null")]
    [InlineData("date", "42", "null")]
    [InlineData("date", "true", "null")]
    [InlineData("date", "\"\"", "\"<unknown>\"")]
    [InlineData("date", "\"0001-01-01T00:00:00Z\"", "\"<unknown>\"")]
    [InlineData("date", "\"yesterday\"", "\"<invalid>\"")]
    [InlineData("date", "\"2025-01-01 00:00:00Z\"", "\"<invalid>\"")]
    [InlineData("date", "\"2025-02-30T00:00:00Z\"", "\"<invalid>\"")]
    [InlineData("date", "\"2024-12-31T14:00:00Z\"", "\"12h\"")]
    [InlineData("date", "\"2024-12-31T15:00:00.123456789+01:00\"", "\"12h\"")]
    [InlineData("date", "\"2025-01-01T15:00:00Z\"", "\"<invalid>\"")]
    [InlineData("date", "\"1700-01-01T00:00:00Z\"", "\"292y\"")]
    [InlineData("unknown", "\"foo\"", "null")]
    [InlineData("integer", "null", "null")]
    [InlineData("string", "null", "\"<no value>\"")]
    [InlineData("number", "1e400", "null")]
    [InlineData("string", "42", "\"42\"")]
    [InlineData("string", "true", "\"true\"")]
    [InlineData("string", "1.0", "\"1\"")]
    [InlineData("string", "1e6", "\"1e+06\"")]
    [InlineData("string", "123456", "\"123456\"")]
    [InlineData("string", "0.0001", "\"0.0001\"")]
    [InlineData("string", "0.00001", "\"1e-05\"")]
    [InlineData("string", "[1.0,2.5e-7,1e21,1e20,-0.0]", "\"[1,2.5e-7,1e+21,100000000000000000000,-0]\"")]
    [InlineData("string", """{"b":"<a&b>","a":{"z":null,"y":false},"é":"\u2028"}""", """ "{\"a\":{\"y\":false,\"z\":null},\"b\":\"\\u003ca\\u0026b\\u003e\",\"é\":\"\\u2028\"}" """)]
    public void Build_CellTypedByColumn(string type, string valueJson, string expectedCell)
    {
        var obj = JsonNode.Parse("""{"metadata":{"name":"x"},"spec":{"value":""" + valueJson + "}}")!.AsObject();
        var columns = new[] { new PrinterColumn("Value", type, "", "", 0, ".spec.value") };

        var cells = CustomResourceTable.Build(columns, [obj], null, _now, "None", withHeaders: false)["rows"]![0]!["cells"]!;

        AssertJson(expectedCell.Trim(), cells[1]);
    }

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString() ?? "null"}");
}
