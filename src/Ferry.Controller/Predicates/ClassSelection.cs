namespace Ferry.Controller.Predicates;

/// <summary>Which <c>spec.loadBalancerClass</c> values the controller serves.</summary>
public enum ClassSelection
{
    /// <summary>Services without a class, as the upstream (cloud provider) service controller does.</summary>
    Unset,

    /// <summary>Only Services with class <c>ferry.dev/lb</c>, to run beside another load balancer implementation.</summary>
    FerryOnly,

    /// <summary>Both: no class and <c>ferry.dev/lb</c>.</summary>
    UnsetAndFerry,
}

/// <summary>Helpers for <see cref="ClassSelection"/>.</summary>
public static class ClassSelectionExtensions
{
    public static bool Serves(this ClassSelection selection, string? loadBalancerClass) => selection switch
    {
        ClassSelection.Unset => loadBalancerClass is null,
        ClassSelection.FerryOnly => loadBalancerClass == FerryAnnotations.LoadBalancerClass,
        _ => loadBalancerClass is null || loadBalancerClass == FerryAnnotations.LoadBalancerClass,
    };
}
