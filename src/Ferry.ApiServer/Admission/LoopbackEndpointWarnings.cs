using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Objects;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Loopback endpoint addresses: kube-apiserver refuses them (<c>ValidateNonSpecialIP</c>: "may not be in the loopback
/// range (127.0.0.0/8, ::1/128)"), but local mode needs them (the quick start's <c>127.0.0.1</c> backend), so this
/// server accepts them and answers with a <c>Warning</c> naming the field and upstream's error
/// (docs/local-mode.md, "Limits compared with a real cluster").
/// </summary>
/// <remarks>Pure and thread-safe.</remarks>
internal static class LoopbackEndpointWarnings
{
    /// <summary>Upstream's validation message for a loopback address.</summary>
    public const string UpstreamMessage = "may not be in the loopback range (127.0.0.0/8, ::1/128)";

    /// <summary>The warnings for an EndpointSlice's <c>endpoints[i].addresses[j]</c> (FQDN slices have none).</summary>
    public static List<string> ForEndpointSlice(JsonObject slice)
    {
        var warnings = new List<string>();
        if (JsonRead.Str(slice["addressType"]) is not ("IPv4" or "IPv6") || slice["endpoints"] is not JsonArray endpoints)
        {
            return warnings;
        }

        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i]?["addresses"] is JsonArray addresses)
            {
                Check(addresses.Select(a => JsonRead.Str(a)), $"endpoints[{Index(i)}].addresses", warnings);
            }
        }

        return warnings;
    }

    /// <summary>The warnings for core Endpoints' <c>subsets[i].addresses[j].ip</c> and <c>notReadyAddresses</c>.</summary>
    public static List<string> ForEndpoints(JsonObject endpoints)
    {
        var warnings = new List<string>();
        if (endpoints["subsets"] is not JsonArray subsets)
        {
            return warnings;
        }

        for (var i = 0; i < subsets.Count; i++)
        {
            foreach (var list in new[] { "addresses", "notReadyAddresses" })
            {
                if (subsets[i]?[list] is JsonArray addresses)
                {
                    for (var j = 0; j < addresses.Count; j++)
                    {
                        Check([JsonRead.Str(addresses[j]?["ip"])], $"subsets[{Index(i)}].{list}[{Index(j)}].ip", warnings, indexed: false);
                    }
                }
            }
        }

        return warnings;
    }

    private static void Check(IEnumerable<string> addresses, string path, List<string> warnings, bool indexed = true)
    {
        var j = 0;
        foreach (var text in addresses)
        {
            if (IPAddress.TryParse(text, out var address) && IPAddress.IsLoopback(address) && !text.Contains('%', StringComparison.Ordinal))
            {
                var field = indexed ? $"{path}[{Index(j)}]" : path;
                warnings.Add($"{field}: Invalid value: {FieldErrors.Quote(text)}: {UpstreamMessage} "
                    + "(accepted by Ferry's local API server; a real cluster refuses it)");
            }

            j++;
        }
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
