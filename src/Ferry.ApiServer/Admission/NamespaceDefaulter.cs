using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// Namespace defaulting (kubernetes <c>SetDefaults_Namespace</c>, <c>SetDefaults_NamespaceStatus</c> and the
/// namespace strategy's canonicalisation): the <c>kubernetes.io/metadata.name</c> label always equals the name,
/// and <c>status.phase</c> defaults to <c>Active</c>.
/// </summary>
/// <remarks>
/// Deliberately does not add the <c>kubernetes</c> entry to <c>spec.finalizers</c>: upstream relies on the
/// namespace controller and the <c>/finalize</c> subresource to clear it, which this server does not run, so
/// deleting a namespace would otherwise hang. Pure; mutates only the object passed in.
/// </remarks>
public static class NamespaceDefaulter
{
    /// <summary>The label kube-apiserver keeps equal to the namespace's name.</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    public static void ApplyDefaults(JsonObject ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        if (ns["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            ns["metadata"] = metadata;
        }

        var name = ServiceFields.GetString(metadata, "name");
        if (!string.IsNullOrEmpty(name))
        {
            if (metadata["labels"] is not JsonObject labels)
            {
                labels = [];
                metadata["labels"] = labels;
            }

            labels[NameLabel] = name;
        }

        if (ns["status"] is not JsonObject status)
        {
            status = [];
            ns["status"] = status;
        }

        if (string.IsNullOrEmpty(ServiceFields.GetString(status, "phase")))
        {
            status["phase"] = "Active";
        }
    }
}
