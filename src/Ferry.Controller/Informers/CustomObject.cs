using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Ferry.Controller.Informers;

/// <summary>
/// A custom resource as the informers cache it: typed metadata (for keys and resourceVersions) and the rest
/// as JSON, since the controller reads kinds the client library has no model for (Ferry's AddressPool,
/// MetalLB's IPAddressPool and L2Advertisement).
/// </summary>
public sealed class CustomObject : IKubernetesObject<V1ObjectMeta>
{
    /// <inheritdoc />
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = string.Empty;

    /// <inheritdoc />
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = string.Empty;

    /// <inheritdoc />
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The object's <c>spec</c>, if any.</summary>
    [JsonPropertyName("spec")]
    public JsonObject? Spec { get; set; }

    /// <summary>The object's <c>status</c>, if any.</summary>
    [JsonPropertyName("status")]
    public JsonObject? Status { get; set; }

    /// <summary>The whole object as JSON (a copy).</summary>
    public JsonObject ToJson() => JsonNode.Parse(KubernetesJson.Serialize(this))!.AsObject();

    /// <summary>Reads an object the client returned untyped (a <see cref="System.Text.Json.JsonElement"/>).</summary>
    public static CustomObject From(object untyped) =>
        untyped is System.Text.Json.JsonElement element
            ? KubernetesJson.Deserialize<CustomObject>(element.GetRawText())
            : KubernetesJson.Deserialize<CustomObject>(KubernetesJson.Serialize(untyped));
}
