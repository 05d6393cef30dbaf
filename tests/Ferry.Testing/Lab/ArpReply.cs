using System.Net.NetworkInformation;

namespace Ferry.Testing.Lab;

/// <summary>One MAC that answered <c>arping</c>, and how many replies came from it.</summary>
public sealed record ArpReply(PhysicalAddress Mac, int Count)
{
    public override string ToString() => $"{LinkLayerText.Format(Mac)} x{Count}";
}
