using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// Forces every lazily built part of a parsed JSON tree into existence. A <see cref="JsonObject"/>
/// or <see cref="JsonArray"/> parsed from text builds its contents on first access, which is not
/// safe when the first accesses are concurrent; stored objects are read by many requests and
/// watchers at once, so they are materialized once, by their single writer, before they are shared.
/// </summary>
internal static class JsonMaterializer
{
    public static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
            default:
                break;
        }
    }
}
