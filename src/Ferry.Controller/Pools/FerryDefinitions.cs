namespace Ferry.Controller.Pools;

/// <summary>Ferry's own CustomResourceDefinitions (the manifests in <c>deploy/crds/</c>, embedded at build time).</summary>
public static class FerryDefinitions
{
    /// <summary>Every definition's manifest (YAML), in file-name order.</summary>
    public static IReadOnlyList<string> All { get; } = Load();

    private static string[] Load()
    {
        var assembly = typeof(FerryDefinitions).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("crds/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            })];
    }
}
