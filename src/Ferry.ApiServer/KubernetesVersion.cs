using System.Globalization;

namespace Ferry.ApiServer;

/// <summary>
/// The Kubernetes version the embedded API server answers as (<c>/version</c>) and whose Service rules it follows
/// where they differ between versions (docs/kubernetes-api-contract.md, "Emulated versions").
/// </summary>
/// <param name="Minor">The minor version of Kubernetes 1.x.</param>
internal readonly record struct KubernetesVersion(int Minor)
{
    /// <summary>The oldest version that can be emulated.</summary>
    public const int OldestMinor = 28;

    /// <summary>What the server is without <see cref="ApiServerOptions.EmulatedVersion"/>.</summary>
    public static readonly KubernetesVersion Default = new(32);

    /// <summary>
    /// Whether <c>status.loadBalancer.ingress[].ipMode</c> exists: the <c>LoadBalancerIPMode</c> feature gate is on by
    /// default from 1.30 (alpha, off, in 1.29; unknown before), so older servers drop the field.
    /// </summary>
    public bool HasLoadBalancerIPMode => Minor >= 30;

    public string MinorText => Minor.ToString(CultureInfo.InvariantCulture);

    public string GitVersion => $"v1.{MinorText}.0-ferry";

    /// <summary>Parses <c>1.N</c> (or <c>v1.N</c>) for <see cref="OldestMinor"/> ≤ N ≤ the default's minor.</summary>
    public static bool TryParse(string? text, out KubernetesVersion version)
    {
        version = Default;
        var parts = (text ?? string.Empty).Trim().TrimStart('v').Split('.');
        if (parts is not ["1", var minorText]
            || !int.TryParse(minorText, NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            || minor < OldestMinor || minor > Default.Minor)
        {
            return false;
        }

        version = new KubernetesVersion(minor);
        return true;
    }

    public override string ToString() => "1." + MinorText;
}
