namespace Ferry.ApiServer.CustomResources;

/// <summary>The names apiextensions.k8s.io uses in CustomResourceDefinitions: finalizer, condition types and reasons.</summary>
internal static class DefinitionNames
{
    /// <summary>Keeps a deleted definition until its custom resources are gone.</summary>
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    /// <summary>The definition's names do not conflict with another's.</summary>
    public const string NamesAccepted = "NamesAccepted";

    /// <summary>The definition's resources are served.</summary>
    public const string Established = "Established";

    /// <summary>The definition is being deleted.</summary>
    public const string Terminating = "Terminating";
}
