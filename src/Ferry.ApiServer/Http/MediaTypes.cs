namespace Ferry.ApiServer.Http;

/// <summary>Accept / Content-Type helpers for the negotiations clients rely on.</summary>
internal static class MediaTypes
{
    public const string Json = "application/json";
    public const string TableV1 = "application/json;as=Table;v=v1;g=meta.k8s.io";
    public const string DiscoveryV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public const string DiscoveryV2Beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    public const string OpenApiV2Protobuf = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    /// <summary>The media type without parameters, lower case (e.g. <c>application/merge-patch+json</c>).</summary>
    public static string Essence(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return string.Empty;
        }

        var semi = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? contentType : contentType[..semi]).Trim().ToLowerInvariant();
    }

    /// <summary>The parameters of each media range in an Accept header, in the client's order.</summary>
    public static IEnumerable<(string Type, Dictionary<string, string> Parameters)> Ranges(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            yield break;
        }

        foreach (var range in accept.Split(','))
        {
            var parts = range.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in parts.Skip(1))
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim();
                }
            }

            yield return (parts[0].ToLowerInvariant(), parameters);
        }
    }

    /// <summary>Whether the client asked for a meta.k8s.io object of the given <c>as=</c> kind (Table, PartialObjectMetadataList, …).</summary>
    public static bool WantsAs(string? accept, string kind) =>
        Ranges(accept).Any(r => r.Type == Json
            && r.Parameters.TryGetValue("as", out var a) && a == kind
            && r.Parameters.TryGetValue("g", out var g) && g == "meta.k8s.io");

    /// <summary>Which aggregated discovery version the client accepts first: v2, v2beta1, or null for legacy.</summary>
    public static string? AggregatedDiscoveryVersion(string? accept)
    {
        foreach (var (type, p) in Ranges(accept))
        {
            if (type == Json && p.TryGetValue("g", out var g) && g == "apidiscovery.k8s.io"
                && p.TryGetValue("as", out var a) && a == "APIGroupDiscoveryList" && p.TryGetValue("v", out var v) && v is "v2" or "v2beta1")
            {
                return v;
            }

            if (type is Json or "*/*" or "application/*")
            {
                return null;
            }
        }

        return null;
    }
}
