using System.Text.Json.Nodes;
using Ferry.ApiServer.Selectors;

namespace Ferry.ApiServer.Tests.Selectors;

public class FieldSelectorTests
{
    private static readonly JsonObject _event = JsonNode.Parse("""
        {"metadata":{"name":"e1","namespace":"default"},
         "involvedObject":{"kind":"Service","name":"web","namespace":"default","uid":"u-1"},
         "reason":"EnsuredLoadBalancer","type":"Normal","source":{"component":"service-controller"}}
        """)!.AsObject();

    [Theory]
    [InlineData("describe's query", "involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Service,involvedObject.uid=u-1", true)]
    [InlineData("double equals", "involvedObject.name==web", true)]
    [InlineData("not equals", "type!=Warning", true)]
    [InlineData("not equals same", "type!=Normal", false)]
    [InlineData("mismatch", "involvedObject.uid=other", false)]
    [InlineData("source maps to component", "source=service-controller", true)]
    [InlineData("missing field equals empty", "involvedObject.fieldPath=", true)]
    [InlineData("empty selector", "", true)]
    [InlineData("trailing comma ignored", "reason=EnsuredLoadBalancer,", true)]
    public void Matches_Events(string description, string selector, bool expected)
    {
        var parsed = FieldSelector.Parse(selector);
        Assert.True(expected == parsed.Matches(f => FieldSelectorFields.GetValue(_event, f)), description);
    }

    [Fact]
    public void Parse_EscapedValue_Unescapes()
    {
        var selector = FieldSelector.Parse(@"metadata.name=a\,b\=c\\d");
        Assert.Equal(@"a,b=c\d", selector.Requirements.Single().Value);
        Assert.Equal(@"metadata.name=a\,b\=c\\d", selector.ToString());
    }

    [Theory]
    [InlineData("no operator", "metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'")]
    [InlineData("bad escape", @"metadata.name=a\b", @"invalid field selector: invalid escape sequence: \b")]
    [InlineData("trailing backslash", @"metadata.name=a\", @"invalid field selector: invalid escape sequence: \")]
    [InlineData("bare equals in value", "metadata.name=a=b", "invalid field selector: unescaped character in value: 61")]
    public void Parse_Invalid_Throws(string description, string selector, string message)
    {
        var ex = Assert.Throws<SelectorParseException>(() => FieldSelector.Parse(selector));
        Assert.True(message == ex.Message, $"{description}: {ex.Message}");
    }

    [Fact]
    public void FindUnsupported_ReportsUnknownField()
    {
        var selector = FieldSelector.Parse("metadata.name=x,spec.bogus=y");
        Assert.Equal("spec.bogus", FieldSelectorFields.FindUnsupported("services", selector));
        Assert.Null(FieldSelectorFields.FindUnsupported("events", FieldSelector.Parse("involvedObject.uid=1,type=Normal")));
        Assert.Equal("field label not supported: spec.bogus", FieldSelectorFields.UnsupportedMessage("spec.bogus"));
        Assert.Contains("spec.nodeName", FieldSelectorFields.For("pods"));
        Assert.Equal(["metadata.name", "metadata.namespace"], FieldSelectorFields.For("configmaps").Order());
    }

    [Fact]
    public void GetValue_SourceWithoutComponent_FallsBackToReportingComponent()
    {
        var node = JsonNode.Parse("""{"metadata":{"name":"e"},"reportingComponent":"ferry"}""")!.AsObject();
        Assert.Equal("ferry", FieldSelectorFields.GetValue(node, "source"));
        Assert.Equal(["metadata.name", "metadata.namespace", "spec.clusterIP", "spec.type"], FieldSelectorFields.For("services").Order());
    }

    [Fact]
    public void GetValue_BooleanAbsent_ReadsFalse()
    {
        var node = JsonNode.Parse("""{"metadata":{"name":"n"},"spec":{}}""")!.AsObject();
        Assert.Equal("false", FieldSelectorFields.GetValue(node, "spec.unschedulable"));
        node["spec"]!["unschedulable"] = true;
        Assert.Equal("true", FieldSelectorFields.GetValue(node, "spec.unschedulable"));
        Assert.Null(FieldSelectorFields.GetValue(node, "metadata.namespace"));
    }

    [Fact]
    public void Parse_RandomInput_OnlyEverThrowsSelectorParseException()
    {
        var random = new Random(54321);
        const string alphabet = "ab=!,\\ .";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 16)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                var selector = FieldSelector.Parse(new string(chars));
                _ = selector.Matches(_ => "a");
            }
            catch (SelectorParseException)
            {
            }
        }
    }
}
