using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Resources;

/// <summary>
/// Converts between <c>events.k8s.io/v1</c> and core <c>v1</c> Events (kubernetes <c>pkg/apis/events/v1/conversion.go</c>),
/// so both APIs are views of one storage as on a real apiserver: an event written through either API is visible
/// to <c>kubectl describe</c> (which reads core events) and to events.k8s.io clients.
/// </summary>
internal static class EventConversion
{
    private static readonly (string V1, string Core)[] _renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
        ("reportingController", "reportingComponent"),
    ];

    /// <summary>events.k8s.io/v1 → core v1 (the storage form). Returns a new object.</summary>
    public static JsonObject ToCore(JsonObject v1) => Rename(v1, "v1", toCore: true);

    /// <summary>Core v1 → events.k8s.io/v1. Returns a new object.</summary>
    public static JsonObject FromCore(JsonObject core) => Rename(core, "events.k8s.io/v1", toCore: false);

    private static JsonObject Rename(JsonObject source, string apiVersion, bool toCore)
    {
        var result = new JsonObject { ["kind"] = "Event", ["apiVersion"] = apiVersion };
        foreach (var (key, value) in source)
        {
            if (key is "kind" or "apiVersion")
            {
                continue;
            }

            var target = key;
            foreach (var (v1, core) in _renames)
            {
                if (toCore && key == v1)
                {
                    target = core;
                }
                else if (!toCore && key == core)
                {
                    target = v1;
                }
            }

            result[target] = value?.DeepClone();
        }

        return result;
    }
}
