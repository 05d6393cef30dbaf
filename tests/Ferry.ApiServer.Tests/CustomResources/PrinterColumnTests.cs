using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Printing;
using Ferry.ApiServer.Tables;

namespace Ferry.ApiServer.Tests.CustomResources;

public class PrinterColumnTests
{
    [Fact]
    public void FromVersion_ReadsEveryField()
    {
        var version = JsonNode.Parse("""
            {"name":"v1","additionalPrinterColumns":[
              {"name":"Replicas","type":"integer","format":"int32","description":"Desired replicas","priority":1,"jsonPath":".spec.replicas"},
              {"name":"Phase","type":"string","jsonPath":".status.phase"}]}
            """)!.AsObject();

        Assert.Equal(
            [
                new PrinterColumn("Replicas", "integer", "int32", "Desired replicas", 1, ".spec.replicas"),
                new PrinterColumn("Phase", "string", "", "", 0, ".status.phase"),
            ],
            PrinterColumn.FromVersion(version));
    }

    [Theory]
    [InlineData("""{"name":"v1"}""")]
    [InlineData("""{"name":"v1","additionalPrinterColumns":[]}""")]
    public void FromVersion_NoColumns_ServesAge(string versionJson)
    {
        var columns = PrinterColumn.FromVersion(JsonNode.Parse(versionJson)!.AsObject());

        Assert.Equal([new PrinterColumn("Age", "date", "", TableBuilder.AgeDescription, 0, ".metadata.creationTimestamp")], columns);
    }
}
