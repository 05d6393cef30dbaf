using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Storage;

/// <summary>
/// One current object. <see cref="Object"/> is never mutated after it is stored: writers clone it first,
/// so readers (lists, watches) can serialize it outside the store lock.
/// </summary>
/// <param name="Utf8">The object serialized once at write time, so lists and watches copy bytes instead of re-serializing.</param>
internal sealed record StoredObject(string Key, string Namespace, string Name, long ResourceVersion, JsonObject Object, byte[]? Utf8 = null);
