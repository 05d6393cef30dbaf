using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Ferry.ApiServer.Tests.Http;

public class RequestOptionsTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("t")]
    [InlineData("T")]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("TRUE")]
    public void Flag_GoTrueValues_AreTrue_ForEveryFlag(string value)
    {
        var options = Options("?watch=" + value + "&force=" + value + "&allowWatchBookmarks=" + value + "&sendInitialEvents=" + value);

        Assert.True(options.Watch);
        Assert.True(options.Force);
        var watch = options.ForWatch();
        Assert.True(watch.AllowBookmarks);
        Assert.True(watch.SendInitialEvents);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?watch=")]
    [InlineData("?watch=0")]
    [InlineData("?watch=false")]
    [InlineData("?watch=yes")]
    [InlineData("?watch=tRue")]
    public void Flag_AnythingElse_IsFalse(string query) => Assert.False(Options(query).Watch);

    [Fact]
    public void ForWatch_ResumesAfterTheVersion_UnlessInitialEventsAreAsked()
    {
        Assert.Equal(42, Options("?resourceVersion=42").ForWatch().FromVersion);
        Assert.Null(Options("?resourceVersion=0").ForWatch().FromVersion);
        Assert.Null(Options("?resourceVersion=42&sendInitialEvents=true").ForWatch().FromVersion);
    }

    [Theory]
    [InlineData("?resourceVersion=-1", 400)]
    [InlineData("?timeoutSeconds=abc", 400)]
    [InlineData("?resourceVersion=1&resourceVersionMatch=NotOlderThan", 422)]
    public void ForWatch_BadOptions_AreStatusErrors(string query, int code) =>
        Assert.Equal(code, Assert.Throws<ApiException>(() => Options(query).ForWatch()).Code);

    [Fact]
    public void ForWatch_Timeout_IsCappedAtThirtyDays() =>
        Assert.Equal(TimeSpan.FromDays(30), Options("?timeoutSeconds=31536000").ForWatch().Timeout);

    [Theory]
    [InlineData("?resourceVersionMatch=Bogus&resourceVersion=1", 422)]
    [InlineData("?resourceVersionMatch=Exact", 422)]
    [InlineData("?resourceVersionMatch=Exact&resourceVersion=0", 422)]
    [InlineData("?continue=abc", 400)]
    [InlineData("?continue=abc&resourceVersion=5", 400)]
    public void ForList_RefusedCombinations_AreStatusErrors(string query, int code) =>
        Assert.Equal(code, Assert.Throws<ApiException>(() => Options(query).ForList()).Code);

    [Fact]
    public void ForWrite_ReadsTheWriteOptions()
    {
        var write = Options("?dryRun=All&fieldValidation=Strict&fieldManager=me").ForWrite();

        Assert.True(write.DryRun);
        Assert.Equal("Strict", write.FieldValidation);
        Assert.Equal("me", write.FieldManager);
        Assert.Equal(400, Assert.Throws<ApiException>(() => Options("?dryRun=Some").ForWrite()).Code);
        Assert.Equal(400, Assert.Throws<ApiException>(() => Options("?fieldValidation=Bogus").ForWrite()).Code);
    }

    [Fact]
    public void IncludeObject_DefaultsToMetadata()
    {
        Assert.Equal("Metadata", Options(string.Empty).IncludeObject);
        Assert.Equal("Metadata", Options("?includeObject=").IncludeObject);
        Assert.Equal("Object", Options("?includeObject=Object").IncludeObject);
    }

    private static RequestOptions Options(string query) => new(new QueryCollection(QueryHelpers.ParseQuery(query)));
}
