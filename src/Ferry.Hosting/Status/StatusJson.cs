using System.Text.Json;

namespace Ferry.Hosting.Status;

/// <summary>How <see cref="StatusDocument"/> is written on <c>/status</c> and read by <c>ferry status</c>: camelCase, indented.</summary>
public static class StatusJson
{
    /// <summary>The serializer options both sides use.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
