using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace Ferry.Controller.LeaderElection;

/// <summary>
/// An API server's refusal of a Lease call: 401 (the credentials were not accepted) or 403 (the
/// identity may not use Leases in that namespace). Unlike an outage, retrying does not help until
/// someone fixes the kubeconfig or the RBAC, so it is shown as an error and fails <c>/readyz</c>.
/// </summary>
public sealed record LeaseRefusal(string Verb, string Namespace, HttpStatusCode Status, string Reason)
{
    public const string Resource = "leases.coordination.k8s.io";

    /// <summary>The refusal in <paramref name="error"/>, or null when it is another failure (an outage, a conflict, a server error).</summary>
    public static LeaseRefusal? From(string verb, string @namespace, Exception? error)
    {
        if (error is not HttpOperationException { Response.StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } refused)
        {
            return null;
        }

        return new LeaseRefusal(verb, @namespace, refused.Response.StatusCode, StatusMessage(refused.Response.Content) ?? refused.Message);
    }

    /// <summary>One line: what was refused, why, and what to check.</summary>
    public override string ToString() => Status == HttpStatusCode.Unauthorized
        ? $"{Verb} {Resource} in namespace {Namespace} refused: 401 Unauthorized ({Reason}); the API server did not accept the credentials (check the kubeconfig's user or the ServiceAccount token)"
        : $"{Verb} {Resource} in namespace {Namespace} refused: 403 Forbidden ({Reason}); grant {Resource} get, create and update in namespace {Namespace} (deploy/10-rbac.yaml's Role ferry-leader-election) or choose the Lease's namespace with --lease-namespace";

    /// <summary>The <c>message</c> of a Kubernetes <c>Status</c> body, when the body is one.</summary>
    private static string? StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
