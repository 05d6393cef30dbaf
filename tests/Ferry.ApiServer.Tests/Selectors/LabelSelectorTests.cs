using Ferry.ApiServer.Selectors;

namespace Ferry.ApiServer.Tests.Selectors;

public class LabelSelectorTests
{
    private static readonly Dictionary<string, string> _labels = new()
    {
        ["app"] = "web",
        ["tier"] = "frontend",
        ["kubernetes.io/service-name"] = "example",
        ["count"] = "5",
    };

    [Theory]
    [InlineData("equality matches", "app=web", true)]
    [InlineData("double equals matches", "app==web", true)]
    [InlineData("equality with other value fails", "app=db", false)]
    [InlineData("not equals with other value", "app!=db", true)]
    [InlineData("not equals with same value", "app!=web", false)]
    [InlineData("not equals on absent key matches", "missing!=x", true)]
    [InlineData("in set", "tier in (backend, frontend)", true)]
    [InlineData("in set not containing", "tier in (backend)", false)]
    [InlineData("notin set", "tier notin (backend)", true)]
    [InlineData("notin containing", "tier notin (frontend,backend)", false)]
    [InlineData("notin absent key", "missing notin (a)", true)]
    [InlineData("exists", "app", true)]
    [InlineData("exists absent", "missing", false)]
    [InlineData("does not exist", "!missing", true)]
    [InlineData("does not exist present", "!app", false)]
    [InlineData("AND of all", "app=web,tier in (frontend),!missing", true)]
    [InlineData("AND one fails", "app=web,tier=backend", false)]
    [InlineData("prefixed key (describe service)", "kubernetes.io/service-name=example", true)]
    [InlineData("whitespace tolerant", "  app =  web ,  tier   in(frontend)  ", true)]
    [InlineData("greater than", "count>4", true)]
    [InlineData("less than", "count<5", false)]
    [InlineData("empty selector", "", true)]
    [InlineData("empty value equals absent key fails", "missing=", false)]
    [InlineData("in keyword usable as key", "in", false)]
    [InlineData("in keyword usable as value", "app in (in,web)", true)]
    public void Matches_Table(string description, string selector, bool expected)
    {
        var parsed = LabelSelector.Parse(selector);
        Assert.True(expected == parsed.Matches(_labels), description);
    }

    [Fact]
    public void Matches_NullLabels_OnlyNegativeRequirementsMatch()
    {
        Assert.True(LabelSelector.Parse("!a,b!=c,d notin (e)").Matches(null));
        Assert.False(LabelSelector.Parse("a").Matches(null));
        Assert.True(LabelSelector.Everything.Matches(null));
    }

    [Fact]
    public void Parse_SetWithEmptyValues_YieldsEmptyString()
    {
        var selector = LabelSelector.Parse("x in (foo,,baz),y,z notin ()");
        Assert.Equal(3, selector.Requirements.Count);
        Assert.Equal(["", "baz", "foo"], selector.Requirements[0].Values);
        Assert.Equal(SelectorOperator.Exists, selector.Requirements[1].Operator);
        Assert.Equal([""], selector.Requirements[2].Values);
        Assert.Equal("x in (,baz,foo),y,z notin ()", selector.ToString());
    }

    [Fact]
    public void Parse_Requirements_SortedByKey()
    {
        var selector = LabelSelector.Parse("b=1,a=2");
        Assert.Equal(["a", "b"], selector.Requirements.Select(r => r.Key));
        Assert.Equal("a=2,b=1", selector.ToString());
    }

    [Fact]
    public void FromSet_BuildsEqualityRequirements()
    {
        var selector = LabelSelector.FromSet(new Dictionary<string, string> { ["app"] = "web" });
        Assert.True(selector.Matches(_labels));
        Assert.True(LabelSelector.FromSet(null).IsEmpty);
    }

    [Theory]
    [InlineData("key with space", "a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("trailing comma", "a=b,", "found '', expected: identifier after ','")]
    [InlineData("two values", "a=b c", "found 'c', expected: ',' or 'end of string'")]
    [InlineData("starts with operator", "=a", "found '=', expected: !, identifier, or 'end of string'")]
    [InlineData("colon separator", "app:monolith", "unable to parse requirement: <nil>: Invalid value: \"app:monolith\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    [InlineData("bad prefix", "app.kubernetes_io/name=x", "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("bad value", "app=a$b", "unable to parse requirement: values[0][app]: Invalid value: \"a$b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    [InlineData("missing paren", "a in b", "unable to parse requirement: found 'b' expected: '('")]
    [InlineData("unclosed set", "a in (b", "unable to parse requirement: found '', expected: ',' or ')'")]
    [InlineData("gt non integer", "a>b", "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")]
    [InlineData("lone bang", "!", "unable to parse requirement: found '', expected: identifier")]
    public void Parse_Invalid_ThrowsWithUpstreamMessage(string description, string selector, string message)
    {
        var ex = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse(selector));
        Assert.True(message == ex.Message, $"{description}: {ex.Message}");
    }

    [Fact]
    public void Parse_RandomInput_OnlyEverThrowsSelectorParseException()
    {
        var random = new Random(12345);
        const string alphabet = "ab=!(), \tin notin<>-_./$:";
        for (var i = 0; i < 5000; i++)
        {
            var length = random.Next(0, 20);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            try
            {
                var selector = LabelSelector.Parse(text);
                // A parsed selector round-trips through its canonical form.
                Assert.Equal(selector.ToString(), LabelSelector.Parse(selector.ToString()).ToString());
            }
            catch (SelectorParseException)
            {
            }
        }
    }

    [Fact]
    public void Parse_RandomUnicode_OnlyEverThrowsSelectorParseException()
    {
        var random = new Random(2026);
        for (var i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(0, 24)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = (char)random.Next(0, 0x3000);
            }

            try
            {
                _ = LabelSelector.Parse(new string(chars)).Matches(new Dictionary<string, string> { ["a"] = "b" });
                _ = FieldSelector.Parse(new string(chars)).Matches(_ => null);
            }
            catch (SelectorParseException)
            {
            }
        }
    }
}
