namespace Ferry.Contracts;

/// <summary>
/// Identifies one load balancer. For a Kubernetes Service it is the Service's namespace and name;
/// the standalone balancer uses an empty namespace and the configured name.
/// </summary>
public readonly record struct LoadBalancerKey(string Namespace, string Name)
{
    public static LoadBalancerKey Standalone(string name) => new(string.Empty, name);

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}
