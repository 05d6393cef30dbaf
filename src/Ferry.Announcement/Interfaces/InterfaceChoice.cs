using System.Collections.Immutable;

namespace Ferry.Announcement.Interfaces;

/// <summary>The interfaces to announce an address on, or why there are none.</summary>
internal sealed record InterfaceChoice(ImmutableArray<LinkInterface> Interfaces, string? Error)
{
    public static InterfaceChoice Fail(string error) => new([], error);
}
