namespace Ferry.ApiServer.Patching;

/// <summary>
/// How kube-apiserver classifies a patch failure, so the HTTP layer can pick the same status code
/// (docs/kubernetes-api-contract.md, "Errors kube-apiserver returns for patches").
/// </summary>
public enum PatchErrorKind
{
    /// <summary>400 BadRequest: malformed patch document or directive format (<c>invalid patch format of …</c>).</summary>
    BadRequest,

    /// <summary>422 Invalid: the patch is well-formed but cannot be applied (JSON patch op failure, lists of lists).</summary>
    Invalid,

    /// <summary>500 with an empty reason: upstream's catch-all for strategic-merge errors (missing merge key, …).</summary>
    Internal,
}
