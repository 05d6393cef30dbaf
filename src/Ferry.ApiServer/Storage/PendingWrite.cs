using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Storage;

/// <summary>A write buffered by a <see cref="StoreTransaction"/> until commit.</summary>
internal sealed record PendingWrite(WriteKind Kind, string Key, string Namespace, string Name, long ResourceVersion, JsonObject Object, string Json, bool Created);
