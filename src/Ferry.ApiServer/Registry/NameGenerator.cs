using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Registry;

/// <summary><c>metadata.generateName</c>: the prefix plus five random characters, retried on collision.</summary>
internal static class NameGenerator
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>A name free in the transaction's view; 409 AlreadyExists (retry after 1 s) after eight collisions.</summary>
    public static string Generate(StoreTransaction tx, ResourceType type, string ns, string generateName)
    {
        var prefix = generateName.Length > 58 ? generateName[..58] : generateName;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var candidate = prefix + RandomNumberGenerator.GetString(Alphabet, 5);
            if (tx.Get(type.Key, ns, candidate) is null)
            {
                return candidate;
            }
        }

        var ex = ApiErrors.AlreadyExists(type, generateName);
        throw new ApiException(409, "AlreadyExists", ex.Message + ", the server was not able to generate a unique name for the object",
            new JsonObject { ["name"] = generateName, ["kind"] = type.Plural, ["retryAfterSeconds"] = 1 });
    }
}
