using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Ferry.Controller.LeaderElection;

/// <summary>
/// Asks the API server, with <c>SelfSubjectAccessReview</c>s, whether this identity may get, create and
/// update the election's Lease, so a missing permission fails the start with a clear message instead
/// of a replica that campaigns forever.
/// </summary>
public static class LeasePermissionCheck
{
    /// <summary>The verbs leader election uses on its Lease (deploy/10-rbac.yaml grants exactly these).</summary>
    public static readonly IReadOnlyList<string> Verbs = ["get", "create", "update"];

    /// <summary>Reviews every verb of <see cref="Verbs"/> on the Lease <paramref name="options"/> names.</summary>
    /// <returns>
    /// Allowed, denied (with the verbs refused and the server's reason), or undecided when the API server
    /// could not answer (unreachable, or it serves no <c>SelfSubjectAccessReview</c>): the election then finds out itself.
    /// </returns>
    public static async Task<LeasePermissionResult> CheckAsync(IKubernetes client, LeaderElectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var denied = new List<string>();
        var reasons = new List<string>();
        foreach (var verb in Verbs)
        {
            var review = new V1SelfSubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SelfSubjectAccessReview",
                Spec = new V1SelfSubjectAccessReviewSpec
                {
                    ResourceAttributes = new V1ResourceAttributes
                    {
                        Group = "coordination.k8s.io",
                        Resource = "leases",
                        Verb = verb,
                        NamespaceProperty = options.LeaseNamespace,

                        // create is authorized before the object has a name; get and update name the Lease, so a Role with resourceNames suffices.
                        Name = verb == "create" ? null : options.LeaseName,
                    },
                },
            };
            V1SelfSubjectAccessReview answer;
            try
            {
                answer = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e)
            {
                return LeasePermissionResult.Undecided($"the API server answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase} to a SelfSubjectAccessReview");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return LeasePermissionResult.Undecided(e.Message);
            }

            if (answer.Status?.Allowed != true)
            {
                denied.Add(verb);
                if (!string.IsNullOrEmpty(answer.Status?.Reason) && !reasons.Contains(answer.Status.Reason))
                {
                    reasons.Add(answer.Status.Reason);
                }
            }
        }

        return denied.Count == 0 ? LeasePermissionResult.Allowed : LeasePermissionResult.Denied(denied, string.Join("; ", reasons));
    }
}
