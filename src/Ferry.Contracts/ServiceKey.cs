using System.Diagnostics.CodeAnalysis;

namespace Ferry.Contracts;

/// <summary>
/// Identifies one Kubernetes Service by namespace and name: the controller's work-queue key, the
/// owner of an IP allocation and the key of the cluster view. Kept here, free of Kubernetes types,
/// so the allocator can name owners without knowing Kubernetes.
/// </summary>
public readonly record struct ServiceKey(string Namespace, string Name)
{
    /// <summary>The load balancer that serves this Service (same namespace and name).</summary>
    public LoadBalancerKey LoadBalancer => new(Namespace, Name);

    /// <summary>Parses <c>namespace/name</c>, as <see cref="ToString"/> writes it.</summary>
    /// <exception cref="FormatException">The text is not <c>namespace/name</c> with both parts non-empty.</exception>
    public static ServiceKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"\"{text}\" is not a Service key (namespace/name)");

    /// <summary>Parses <c>namespace/name</c>; false unless both parts are non-empty and the name has no further '/'.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out ServiceKey key)
    {
        key = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        key = new ServiceKey(text[..slash], text[(slash + 1)..]);
        return true;
    }

    /// <summary><c>namespace/name</c>, as kubectl and the Events name the Service.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
