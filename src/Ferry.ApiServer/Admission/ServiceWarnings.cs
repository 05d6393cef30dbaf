using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// kube-apiserver's warnings on Service writes (<c>GetWarningsForService</c>, since 1.28 for prefixes): a
/// <c>loadBalancerSourceRanges</c> entry that validation accepts (it trims spaces) but Go's strict prefix parser
/// refuses, and an IPv6 prefix not in RFC 5952 canonical form. Sent as <c>Warning</c> headers; kubectl prints them.
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
internal static class ServiceWarnings
{
    /// <summary>The warnings for a Service as written through the main resource.</summary>
    public static List<string> For(JsonObject service)
    {
        var warnings = new List<string>();
        var ranges = ServiceFields.StringList(ServiceFields.Spec(service), "loadBalancerSourceRanges");
        for (var i = 0; i < ranges.Count; i++)
        {
            var path = "spec.loadBalancerSourceRanges[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            var error = NetipPrefix.Error(ranges[i], out var canonical);
            if (error is not null)
            {
                warnings.Add(path + ": IP prefix was accepted, but will be invalid in a future Kubernetes release: " + error);
            }
            else if (canonical.Contains(':', StringComparison.Ordinal) && canonical != ranges[i])
            {
                warnings.Add(path + ": IPv6 prefix " + FieldErrors.Quote(ranges[i]) + " is not in RFC 5952 canonical format ("
                    + FieldErrors.Quote(canonical) + "), which may cause controller apply-loops");
            }
        }

        return warnings;
    }
}
