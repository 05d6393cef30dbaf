using System.Net;
using Ferry.Contracts;
using YamlDotNet.RepresentationModel;

namespace Ferry.Configuration.Tests;

public class YamlValueReaderTests
{
    private readonly YamlValueReader _reader = new();

    private static YamlNode Root(string yaml)
    {
        Assert.True(YamlValueReader.TryLoad(yaml, out var roots, out var error), error?.Message);
        return Assert.Single(roots);
    }

    private static YamlNode Value(string scalar) => ((YamlMappingNode)Root($"v: {scalar}\n")).Children[new YamlScalarNode("v")];

    [Fact]
    public void TryLoad_SyntaxError_ReturnsItWithItsLine()
    {
        Assert.False(YamlValueReader.TryLoad("a: 1\nb: [\n", out var roots, out var error));
        Assert.Empty(roots);
        Assert.True(error.Start.Line >= 2);
    }

    [Fact]
    public void TryLoad_SeveralDocuments_ReturnsEveryRoot()
    {
        Assert.True(YamlValueReader.TryLoad("a: 1\n---\nb: 2\n", out var roots, out _));
        Assert.Equal(2, roots.Count);
        Assert.True(YamlValueReader.TryLoad(string.Empty, out var none, out _));
        Assert.Empty(none);
    }

    [Fact]
    public void Mapping_UnknownKey_IsAnErrorWithPathPositionAndHint()
    {
        var values = _reader.Mapping(Root("name: a\nadresses: []\n"), "pools[0]", ["name", "addresses"]);

        Assert.NotNull(values);
        Assert.Equal(["name"], values.Keys);
        var error = Assert.Single(_reader.Errors);
        Assert.Equal("pools[0].adresses: unknown key, did you mean addresses? (allowed: name, addresses)", error.ToString());
        Assert.Equal((2, 1), (error.Line, error.Column));
    }

    [Fact]
    public void Mapping_NullValues_AreLeftOut()
    {
        var values = _reader.Mapping(Root("a: ~\nb: null\nc:\nd: x\n"), string.Empty, ["a", "b", "c", "d"]);

        Assert.Equal(["d"], values!.Keys);
        Assert.Empty(_reader.Errors);
    }

    [Fact]
    public void Mapping_NotAMapping_ListsTheKeys()
    {
        Assert.Null(_reader.Mapping(Value("[1]"), "x", ["a", "b"]));
        Assert.Equal("x: must be a mapping with keys a, b", Assert.Single(_reader.Errors).ToString());
    }

    [Fact]
    public void Entries_KeepNullValuesAndRejectNonStringKeys()
    {
        var entries = _reader.Entries((YamlMappingNode)Root("a:\n? [b]\n: c\n"), "root").ToList();

        var entry = Assert.Single(entries);
        Assert.Equal(("a", "root.a"), (entry.Key, entry.KeyPath));
        Assert.True(YamlValueReader.IsNull(entry.Value));
        Assert.Equal("root: keys must be plain strings", Assert.Single(_reader.Errors).ToString());
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Boolean_PlainTrueOrFalse_Reads(string text, bool expected) =>
        Assert.Equal(expected, _reader.Boolean(Value(text), "v"));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("\"true\"")]
    public void Boolean_AnythingElse_IsAnError(string text)
    {
        Assert.Null(_reader.Boolean(Value(text), "v"));
        Assert.Equal("v: must be true or false", Assert.Single(_reader.Errors).ToString());
    }

    [Fact]
    public void NonEmptyString_Empty_IsAnError()
    {
        Assert.Null(_reader.NonEmptyString(Value("\"\""), "v"));
        Assert.Equal("v: must be a non-empty string", Assert.Single(_reader.Errors).ToString());
        Assert.Equal(string.Empty, _reader.Text(Value("\"\""), "v"));
    }

    [Theory]
    [InlineData("0", "v: must be between 1 and 10")]
    [InlineData("1.5", "v: must be a whole number between 1 and 10")]
    public void WholeNumber_OutOfRangeOrNotWhole_IsAnError(string text, string expected)
    {
        Assert.Null(_reader.WholeNumber(Value(text), "v", 1, 10));
        Assert.Equal(expected, Assert.Single(_reader.Errors).ToString());
    }

    [Fact]
    public void Seconds_Fraction_Reads() =>
        Assert.Equal(TimeSpan.FromMilliseconds(500), _reader.Seconds(Value("0.5"), "v", 0, 10, minExclusive: true));

    [Fact]
    public void Enum_UsesTheNamesTable()
    {
        Assert.Equal(BalancingAlgorithm.LeastConnections, _reader.Enum(Value("LEASTCONNECTIONS"), "v", BalancingAlgorithmNames.Table));
        Assert.Null(_reader.Enum(Value("fastest"), "v", BalancingAlgorithmNames.Table));
        Assert.Equal(
            "v: \"fastest\" is not valid; must be one of roundRobin, leastConnections, random, powerOfTwo, clientIpHash",
            Assert.Single(_reader.Errors).ToString());
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("\"::1\"", "::1")]
    public void Address_IpAddress_Reads(string text, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), _reader.Address(Value(text), "v"));

    [Theory]
    [InlineData("127.1")]
    [InlineData("localhost")]
    [InlineData("\"fe80::1%1\"")]
    public void Address_ShorthandNamesAndZones_AreErrors(string text)
    {
        Assert.Null(_reader.Address(Value(text), "v"));
        Assert.Equal("v: must be an IP address (like 127.0.0.1 or ::1)", Assert.Single(_reader.Errors).ToString());
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("\"2001:db8::/32\"", "2001:db8::/32")]
    public void Network_CidrOrAddress_Reads(string text, string expected) =>
        Assert.Equal(IPNetwork.Parse(expected), _reader.Network(Value(text), "v"));

    [Theory]
    [InlineData("10.0.0.1/8", "v: \"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("10.0.0.0/33", "v: \"10.0.0.0/33\" has an invalid prefix length (0 to 32)")]
    [InlineData("ten/8", "v: \"ten/8\" is not a CIDR like 10.0.0.0/8")]
    public void Network_Bad_IsAnErrorSayingWhy(string text, string expected)
    {
        Assert.Null(_reader.Network(Value(text), "v"));
        Assert.Equal(expected, Assert.Single(_reader.Errors).ToString());
    }
}
