using System.Net;
using Ferry.Controller.LeaderElection;
using k8s.Autorest;

namespace Ferry.Controller.Tests.LeaderElection;

public class LeaseRefusalTests
{
    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "401 Unauthorized")]
    [InlineData(HttpStatusCode.Forbidden, "403 Forbidden")]
    public void AuthenticationAndAuthorizationFailures_AreRefusals_NamingVerbResourceAndNamespace(HttpStatusCode status, string expected)
    {
        var error = Failure(status, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"leases.coordination.k8s.io \"ferry-controller\" is forbidden","reason":"Forbidden","code":403}""");

        var refusal = LeaseRefusal.From("update", "ferry-system", error);

        Assert.NotNull(refusal);
        Assert.StartsWith($"update leases.coordination.k8s.io in namespace ferry-system refused: {expected} (leases.coordination.k8s.io \"ferry-controller\" is forbidden)", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ABodyThatIsNotAStatus_FallsBackToTheExceptionMessage()
    {
        var refusal = LeaseRefusal.From("get", "default", Failure(HttpStatusCode.Unauthorized, "Unauthorized"));

        Assert.NotNull(refusal);
        Assert.Contains("Operation returned an invalid status code 'Unauthorized'", refusal.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.NotFound)]
    public void OtherStatuses_AreNotRefusals(HttpStatusCode status) =>
        Assert.Null(LeaseRefusal.From("get", "default", Failure(status, "")));

    [Fact]
    public void TransportErrors_AreNotRefusals() =>
        Assert.Null(LeaseRefusal.From("get", "default", new HttpRequestException("Connection refused")));

    private static HttpOperationException Failure(HttpStatusCode status, string body)
    {
        using var response = new HttpResponseMessage(status);
        return new HttpOperationException($"Operation returned an invalid status code '{status}'")
        {
            Response = new HttpResponseMessageWrapper(response, body),
        };
    }
}
