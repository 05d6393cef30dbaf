using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Tests.CustomResources;

internal static class CrdJson
{
    public static JsonObject Object(string text) => JsonNode.Parse(text)!.AsObject();
}
