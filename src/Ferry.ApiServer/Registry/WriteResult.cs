using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Registry;

/// <summary>The object to return, the HTTP code (200/201) and any <c>Warning</c> header texts.</summary>
internal sealed record WriteResult(JsonObject Object, int Code, IReadOnlyList<string> Warnings);
