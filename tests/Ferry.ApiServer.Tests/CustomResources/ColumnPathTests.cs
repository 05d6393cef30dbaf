using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources.Printing;

namespace Ferry.ApiServer.Tests.CustomResources;

public class ColumnPathTests
{
    private static readonly JsonObject _service = JsonNode.Parse("""
        {"apiVersion":"example.ferry.dev/v1","kind":"Gateway",
         "metadata":{"name":"ab","labels":{"app":"web","app.kubernetes.io/name":"gateway","tier":"edge"}},
         "spec":{"addresses":["10.0.0.1","10.0.0.2","10.0.0.3"],
                 "ports":[{"name":"http","port":80,"weight":0.5},{"name":"https","port":443,"nodePort":30443,"weight":1.5}],
                 "nothing":null,
                 "routes":[{"hosts":["a.example"]},{"hosts":["b.example","c.example"]}]},
         "status":{"conditions":[{"type":"Progressing","status":"False"},{"type":"Ready","status":"True"}]}}
        """)!.AsObject();

    [Theory]
    [InlineData(".metadata.name", "ab")]
    [InlineData(".spec.addresses[0]", "10.0.0.1")]
    [InlineData(".spec.addresses[-1]", "10.0.0.3")]
    [InlineData(".spec.addresses[*]", "10.0.0.1 10.0.0.2 10.0.0.3")]
    [InlineData(".spec.addresses[1:]", "10.0.0.2 10.0.0.3")]
    [InlineData(".spec.addresses[::2]", "10.0.0.1 10.0.0.3")]
    [InlineData(".spec.addresses[0,2]", "10.0.0.1 10.0.0.3")]
    [InlineData(".spec.addresses[1:1]", "")]
    [InlineData(".spec.addresses", """["10.0.0.1","10.0.0.2","10.0.0.3"]""")]
    [InlineData(".spec.ports[*].port", "80 443")]
    [InlineData(".spec.ports[*].weight", "0.5 1.5")]
    [InlineData(".spec.routes[*].hosts", """["a.example"] ["b.example","c.example"]""")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[?(@.type=='Ready')].status", "True")]
    [InlineData(".status.conditions[?(@.type!=\"Ready\")].type", "Progressing")]
    [InlineData(".spec.ports[?(@.port>80)].name", "https")]
    [InlineData(".spec.ports[?(@.port<=443)].name", "http https")]
    [InlineData(".spec.ports[?(@.weight<1.0)].name", "http")]
    [InlineData(".spec.ports[?(@.nodePort)].name", "https")]
    [InlineData("..port", "80 443")]
    [InlineData(".metadata.labels.*", "web gateway edge")]
    [InlineData(".metadata.name.*", "97 98")]
    [InlineData(@".metadata.labels.app\.kubernetes\.io/name", "gateway")]
    [InlineData(".metadata.labels['app']", "web")]
    [InlineData(".status.missing.deeper", "")]
    [InlineData(".status.missing[0]", "")]
    [InlineData(".status.missing[?(@.type==\"Ready\")]", "")]
    [InlineData(".spec.nothing", "<no value>")]
    [InlineData(".metadata.name}{.kind", "ab")]
    public void FirstResults_PrintAsUpstream(string jsonPath, string expected) =>
        Assert.Equal(expected, Printed(jsonPath));

    [Theory]
    [InlineData("dotted key in brackets is split at its dots, as upstream", ".metadata.labels['app.kubernetes.io/name']", "")]
    [InlineData("exists filter keeps an element whose test fails, as upstream", ".spec.routes[?(@.hosts[1])].hosts[0]", "a.example b.example")]
    public void FirstResults_KeepsUpstreamQuirks(string description, string jsonPath, string expected) =>
        Assert.True(expected == Printed(jsonPath), description + ": " + Printed(jsonPath));

    [Theory]
    [InlineData("index out of range", ".spec.addresses[5]")]
    [InlineData("step not positive", ".spec.addresses[::0]")]
    [InlineData("index into a map", ".metadata.labels[0]")]
    [InlineData("filter over a map", ".metadata[?(@.name)]")]
    [InlineData("string compared with int", ".spec.ports[?(@.port==\"80\")]")]
    [InlineData("float compared with int", ".spec.ports[?(@.weight<1)]")]
    [InlineData("bools are not ordered", ".spec.ports[?(@.port<true)]")]
    [InlineData("unknown operator", ".spec.ports[?(@.port<>80)]")]
    [InlineData("unknown identifier", ".spec something")]
    [InlineData("a later action fails", ".metadata.name}{.spec.addresses[9]")]
    public void FirstResults_FailureYieldsNothing(string description, string jsonPath)
    {
        Assert.True(ColumnPath.TryParse(jsonPath, out var path, out var error), error);
        Assert.True(path.FirstResults(_service) is null, description);
    }

    [Theory]
    [InlineData(".metadata.name")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status")]
    [InlineData(".spec.addresses[*]")]
    [InlineData(@".metadata.labels.app\.kubernetes\.io/name")]
    [InlineData(".metadata.labels['app']")]
    [InlineData(".spec[?(@.x == \"(\\\"\\\")\")]")]
    public void ParseError_NullForValidPaths(string jsonPath) => Assert.Null(ColumnPath.ParseError(jsonPath));

    [Theory]
    [InlineData(".spec.addresses[0", "unterminated array")]
    [InlineData("*", "unrecognized character in action: U+002A '*'")]
    [InlineData(".a\tb", "unrecognized character in action: U+0009")]
    [InlineData(".a (b)", "unrecognized character in action: U+0028 '('")]
    [InlineData(".a.b(c) ]", "unrecognized character in action: U+005D ']'")]
    [InlineData("+12.3.0", "cannot parse number +12.3.0")]
    [InlineData(".price[?(.x]", "unterminated filter")]
    [InlineData(".a[?(@.b==\"x)]", "unterminated filter")]
    [InlineData(".a[?(@.b)x]", "unclosed array expect ]")]
    [InlineData("........", "invalid multiple recursive descent")]
    [InlineData(".a[x]", "invalid array index x")]
    [InlineData(".a[\"b\"]", "invalid array index \"b\"")]
    [InlineData(".a[-]", "array index - is not a number")]
    [InlineData(".a \"b", "unterminated quoted string")]
    [InlineData(".a \"\\q\"", "unquote string \"\\q\" error invalid syntax")]
    [InlineData(".a\nb", "unclosed action")]
    [InlineData(@".a\", "unclosed action")]
    public void ParseError_UpstreamMessages(string jsonPath, string expected) =>
        Assert.Equal(expected, ColumnPath.ParseError(jsonPath));

    /// <summary>Column paths come from CRD authors: any text must either parse or report upstream's error, never throw.</summary>
    [Fact]
    public void ParseAndEvaluate_ArbitraryText_NeverThrows()
    {
        const string alphabet = ".[]?()@$'\"\\*:,-+0123456789=!<>{} abtye\t\n\u00e9";
        var random = new Random(1234);
        var parsed = 0;
        for (var i = 0; i < 20000; i++)
        {
            var chars = new char[random.Next(1, 16)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var text = "." + new string(chars);
            if (ColumnPath.TryParse(text, out var path, out var error))
            {
                parsed++;
                _ = path.FirstResults(_service);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error), text);
            }
        }

        Assert.InRange(parsed, 1, 19999);
    }

    private static string Printed(string jsonPath)
    {
        Assert.True(ColumnPath.TryParse(jsonPath, out var path, out var error), error);
        var results = path.FirstResults(_service);
        Assert.NotNull(results);
        return string.Join(" ", results.Select(GoText.Print));
    }
}
