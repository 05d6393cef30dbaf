using Ferry.ApiServer.Resources;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The one parser of resource URLs below <c>/api/v1</c> and <c>/apis/{group}/{version}</c>:
/// <c>[watch/]{plural}[/{name}[/{subresource}]]</c> and <c>[watch/]namespaces/{ns}/{plural}[/{name}[/{subresource}]]</c>.
/// </summary>
internal sealed class RequestTargetParser(ResourceCatalog catalog)
{
    private readonly ResourceCatalog _catalog = catalog;

    /// <summary>The target of the segments after the group version, or null when no served resource matches.</summary>
    public RequestTarget? Parse(string group, string version, string[] s)
    {
        var legacyWatch = false;
        if (s.Length > 0 && s[0] == "watch")
        {
            legacyWatch = true;
            s = s[1..];
        }

        if (s.Length >= 3 && s[0] == "namespaces" && Find(s[2]) is { Namespaced: true } nsType)
        {
            return s.Length switch
            {
                3 => new RequestTarget(nsType, s[1], null, null, legacyWatch),
                4 => new RequestTarget(nsType, s[1], s[3], null, legacyWatch),
                5 => new RequestTarget(nsType, s[1], s[3], s[4], legacyWatch),
                _ => null,
            };
        }

        if (s.Length is >= 1 and <= 3 && Find(s[0]) is { } type)
        {
            if (s.Length > 1 && type.Namespaced)
            {
                return null;
            }

            return new RequestTarget(type, null, s.Length > 1 ? s[1] : null, s.Length > 2 ? s[2] : null, legacyWatch);
        }

        return null;

        ResourceType? Find(string plural) => _catalog.Find(group, version, plural);
    }
}
