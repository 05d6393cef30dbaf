namespace Ferry.Controller.Reconciliation;

/// <summary>The upstream service controller's Event reasons and messages (docs/upstream-semantics.md, "Events"), verbatim.</summary>
public static class ServiceEvents
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public const string EnsuringLoadBalancer = "EnsuringLoadBalancer";
    public const string EnsuringMessage = "Ensuring load balancer";
    public const string EnsuredLoadBalancer = "EnsuredLoadBalancer";
    public const string EnsuredMessage = "Ensured load balancer";
    public const string SyncLoadBalancerFailed = "SyncLoadBalancerFailed";
    public const string DeletingLoadBalancer = "DeletingLoadBalancer";
    public const string DeletingMessage = "Deleting load balancer";
    public const string DeletedLoadBalancer = "DeletedLoadBalancer";
    public const string DeletedMessage = "Deleted load balancer";
    public const string DeleteLoadBalancerFailed = "DeleteLoadBalancerFailed";
    public const string UnAvailableLoadBalancer = "UnAvailableLoadBalancer";
    public const string UnAvailableMessage = "There are no available nodes for LoadBalancer";
    public const string UpdatedLoadBalancer = "UpdatedLoadBalancer";
    public const string UpdatedMessage = "Updated load balancer with new hosts";
    public const string UpdateLoadBalancerFailed = "UpdateLoadBalancerFailed";

    /// <summary>Ferry's own (upstream has no pools): a restart found the Service's address outside every address pool and kept it.</summary>
    public const string AddressOutsidePools = "AddressOutsidePools";

    public static string AddressOutsidePoolsMessage(string addresses) =>
        $"Address {addresses} is outside every address pool; the Service keeps it until it is deleted or asks for another address";

    public static string SyncFailedMessage(string error) => $"Error syncing load balancer: {error}";

    public static string DeleteFailedMessage(string error) => $"Error deleting load balancer: {error}";

    /// <summary>HEAD's form: at most 20 node names, then the total.</summary>
    public static string UpdateFailedMessage(IReadOnlyCollection<string> nodeNames, string error)
    {
        var shown = nodeNames.Take(20).ToList();
        if (nodeNames.Count > 20)
        {
            shown.Add($"<{nodeNames.Count - 20} more>");
        }

        return $"Error updating load balancer with new hosts [{string.Join(" ", shown)}] [node names limited, total number of nodes: {nodeNames.Count}], error: {error}";
    }
}
