using System.Text.Json.Nodes;

namespace Ferry.Controller.Pools;

/// <summary>The status an <c>AddressPool</c> should have, and whether writing it would change anything.</summary>
/// <param name="Status">The whole <c>status</c> to write through the status subresource.</param>
/// <param name="Changed">False when the current status already says the same, so nothing needs writing.</param>
public sealed record PoolStatusUpdate(JsonObject Status, bool Changed);
