namespace Ferry.Controller.Serving;

/// <summary>
/// The Events a replica records about the addresses it announces (component <c>ferry-speaker</c>).
/// <c>nodeAssigned</c> and its message are MetalLB's, so users of MetalLB's layer-2 mode read them as before.
/// </summary>
public static class ServingEvents
{
    public const string Component = "ferry-speaker";

    public const string NodeAssigned = "nodeAssigned";

    public const string AddressConflict = "AddressConflict";

    public const string AnnounceFailed = "AnnounceFailed";

    public static string NodeAssignedMessage(string node) => $"announcing from node \"{node}\" with protocol \"layer2\"";

    public static string ConflictMessage(string address, string node, string? hardwareAddress, string? detail) =>
        $"address {address} is already in use on the LAN ({hardwareAddress ?? "another host"} answered{(detail is null ? string.Empty : ": " + detail)}); node \"{node}\" does not announce it";

    public static string FailedMessage(string address, string node, string detail) =>
        $"node \"{node}\" cannot announce {address}: {detail}";
}
