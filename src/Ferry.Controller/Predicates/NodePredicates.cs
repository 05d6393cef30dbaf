using k8s.Models;

namespace Ferry.Controller.Predicates;

/// <summary>
/// Which nodes are load balancer targets (upstream's StableLoadBalancerNodeSet predicates): not being
/// deleted, not excluded by label, not tainted for deletion by the cluster autoscaler. Readiness is
/// ignored on purpose: the load balancer's health check decides, so a flapping node does not churn
/// every load balancer.
/// </summary>
public static class NodePredicates
{
    public static bool IsEligible(V1Node node) =>
        node.Metadata?.DeletionTimestamp is null && !IsExcludedByLabel(node) && !IsTaintedForDeletion(node);

    /// <summary>The exclusion label with any value excludes, except a value that parses as false (Kubernetes ≥ 1.34).</summary>
    public static bool IsExcludedByLabel(V1Node node) =>
        node.Metadata?.Labels?.TryGetValue(FerryAnnotations.ExcludeFromExternalLoadBalancers, out var value) == true
        && !(bool.TryParse(value, out var excluded) && !excluded) && value is not ("0" or "f" or "F");

    public static bool IsTaintedForDeletion(V1Node node) =>
        node.Spec?.Taints?.Any(t => t.Key == FerryAnnotations.ToBeDeletedTaint) == true;

    /// <summary>Whether a node update changes eligibility (upstream only re-syncs on such changes, adds and deletes).</summary>
    public static bool EligibilityChanged(V1Node old, V1Node current) =>
        IsExcludedByLabel(old) != IsExcludedByLabel(current) || old.Spec?.ProviderID != current.Spec?.ProviderID;
}
