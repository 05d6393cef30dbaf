namespace Ferry.ApiServer.Patching;

/// <summary>A field another manager owns and the applied configuration would change. Immutable.</summary>
/// <param name="Manager">The other field manager, e.g. <c>kubectl-edit</c>.</param>
/// <param name="ApiVersion">The API version recorded in that manager's entry.</param>
/// <param name="Field">The field path as upstream prints it, e.g. <c>.spec.ports[port=80,protocol="TCP"].targetPort</c>.</param>
/// <param name="Operation">The other manager's operation, <c>Apply</c> or <c>Update</c>.</param>
/// <param name="Subresource">The subresource the other manager wrote through (e.g. <c>status</c>), or empty.</param>
public sealed record ApplyConflict(string Manager, string ApiVersion, string Field, string Operation = "Update", string Subresource = "")
{
    /// <summary>
    /// The manager as upstream prints it: <c>"kubectl-patch" using v1</c> for an Update manager, <c>"other"</c> for an
    /// Apply manager, with <c>with subresource "status"</c> after the name when it wrote a subresource.
    /// </summary>
    public string ManagerText
    {
        get
        {
            var text = $"\"{Manager}\"" + (Subresource.Length > 0 ? $" with subresource \"{Subresource}\"" : string.Empty);
            return Operation == "Update" ? text + " using " + ApiVersion : text;
        }
    }

    /// <summary><c>conflict with "kubectl-edit" using v1</c> (the per-cause message of upstream's 409).</summary>
    public string Message => "conflict with " + ManagerText;

    public override string ToString() => Message + ": " + Field;
}
