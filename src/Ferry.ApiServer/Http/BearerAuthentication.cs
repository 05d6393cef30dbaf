using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Ferry.ApiServer.Http;

/// <summary>
/// The server's only authentication: one bearer token, compared in constant time. The health and version
/// endpoints are public, as kube-apiserver's anonymous access serves them.
/// </summary>
internal sealed class BearerAuthentication
{
    private const string Prefix = "Bearer ";
    private readonly byte[] _token;

    public BearerAuthentication(string token)
    {
        _token = Encoding.UTF8.GetBytes(token);
    }

    /// <summary>Whether the path is served without a token.</summary>
    public static bool IsPublic(string path) =>
        path is "/version" or "/healthz" or "/readyz" or "/livez"
        || path.StartsWith("/healthz/", StringComparison.Ordinal)
        || path.StartsWith("/readyz/", StringComparison.Ordinal)
        || path.StartsWith("/livez/", StringComparison.Ordinal);

    /// <summary>Whether the request carries the token.</summary>
    public bool IsAuthenticated(HttpContext ctx)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[Prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }
}
