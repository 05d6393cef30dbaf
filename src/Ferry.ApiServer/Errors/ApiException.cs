using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Errors;

/// <summary>
/// A failure that must reach the client as a Kubernetes <c>Status</c> object (kind Status, apiVersion v1),
/// the only error shape kubectl and KubernetesClient understand.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    /// <summary>The HTTP status code (also the Status <c>code</c> field).</summary>
    public int Code { get; }

    /// <summary>The machine-readable Status reason, e.g. <c>NotFound</c>; empty for an unknown reason.</summary>
    public string Reason { get; }

    /// <summary>The Status <c>details</c> object, if any.</summary>
    public JsonObject? Details { get; }

    /// <summary>Builds the Status body.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }
}
