using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Storage;

/// <summary>A change to one object; <see cref="Previous"/> lets selector-filtered watches turn transitions into ADDED/DELETED.</summary>
/// <param name="ObjectUtf8">The object already serialized (shared by every watcher, so fan-out serializes once).</param>
internal sealed record WatchEvent(WatchEventType Type, string Key, string Namespace, long ResourceVersion, JsonObject? Object, JsonObject? Previous, byte[]? ObjectUtf8 = null);
