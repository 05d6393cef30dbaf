namespace Ferry.ApiServer.Patching;

/// <summary>A field another manager owns and the applied configuration would change. Immutable.</summary>
/// <param name="Manager">The other field manager, e.g. <c>kubectl-edit</c>.</param>
/// <param name="ApiVersion">The API version recorded in that manager's entry.</param>
/// <param name="Field">The field path as upstream prints it, e.g. <c>.spec.ports[port=80,protocol="TCP"].targetPort</c>.</param>
public sealed record ApplyConflict(string Manager, string ApiVersion, string Field)
{
    /// <summary><c>conflict with "kubectl-edit" using v1</c> (the per-cause message of upstream's 409).</summary>
    public string Message => $"conflict with \"{Manager}\" using {ApiVersion}";

    public override string ToString() => Message + ": " + Field;
}
