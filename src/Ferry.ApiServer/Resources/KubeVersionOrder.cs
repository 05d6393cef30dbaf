using System.Globalization;
using System.Text.RegularExpressions;

namespace Ferry.ApiServer.Resources;

/// <summary>
/// Kubernetes' version priority (apimachinery's <c>version.CompareKubeAwareVersionStrings</c>): GA before beta
/// before alpha, higher numbers first (<c>v2, v1, v1beta2, v1beta1, v1alpha1</c>), then anything else by name.
/// The first is a group's preferred version.
/// </summary>
internal sealed partial class KubeVersionOrder : IComparer<string>
{
    /// <summary>The one instance (the comparer holds no state).</summary>
    public static readonly KubeVersionOrder Instance = new();

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        var a = Parse(x ?? string.Empty);
        var b = Parse(y ?? string.Empty);
        if (a is null || b is null)
        {
            return a is not null ? -1 : b is not null ? 1 : string.CompareOrdinal(x, y);
        }

        if (a.Value.Stability != b.Value.Stability)
        {
            return a.Value.Stability.CompareTo(b.Value.Stability);
        }

        return a.Value.Major != b.Value.Major ? b.Value.Major.CompareTo(a.Value.Major) : b.Value.Minor.CompareTo(a.Value.Minor);
    }

    /// <summary>Stability 0 GA, 1 beta, 2 alpha; null for a version that is not Kubernetes-shaped.</summary>
    private static (int Stability, long Major, long Minor)? Parse(string version)
    {
        var match = KubeVersion().Match(version);
        if (!match.Success)
        {
            return null;
        }

        var major = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var stability = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = match.Groups[3].Value.Length > 0 ? long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        return (stability, major, minor);
    }

    [GeneratedRegex("^v([1-9][0-9]{0,8})(?:(alpha|beta)([1-9][0-9]{0,8}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex KubeVersion();
}
