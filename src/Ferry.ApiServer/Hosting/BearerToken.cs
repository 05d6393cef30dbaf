using System.Security.Cryptography;
using System.Text;

namespace Ferry.ApiServer.Hosting;

/// <summary>The random bearer token clients must present, made on first start and kept in the data directory.</summary>
internal static class BearerToken
{
    public const string FileName = "token";

    public static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return existing;
            }
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        ServerCertificate.WritePrivate(path, Encoding.ASCII.GetBytes(token + "\n"));
        return token;
    }
}
