using System.Security.Cryptography;
using System.Text;
using Ferry.ApiServer.Authorization;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// Bearer-token authentication: the data directory's admin token (compared in constant time), else the optional
/// static token file's users (kube-apiserver's <c>--token-auth-file</c>). The health and version endpoints are
/// public, as kube-apiserver's anonymous access serves them.
/// </summary>
internal sealed class BearerAuthentication(string adminToken, IReadOnlyDictionary<string, UserIdentity> staticTokens)
{
    private const string Prefix = "Bearer ";
    private readonly byte[] _adminToken = Encoding.UTF8.GetBytes(adminToken);
    private readonly IReadOnlyDictionary<string, UserIdentity> _staticTokens = staticTokens;

    /// <summary>Whether the path is served without a token.</summary>
    public static bool IsPublic(string path) =>
        path is "/version" or "/healthz" or "/readyz" or "/livez"
        || path.StartsWith("/healthz/", StringComparison.Ordinal)
        || path.StartsWith("/readyz/", StringComparison.Ordinal)
        || path.StartsWith("/livez/", StringComparison.Ordinal);

    /// <summary>The user whose token the request carries, or null (401).</summary>
    public UserIdentity? Authenticate(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = header[Prefix.Length..].Trim();
        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _adminToken))
        {
            return UserIdentity.Admin;
        }

        return _staticTokens.GetValueOrDefault(presented);
    }
}
