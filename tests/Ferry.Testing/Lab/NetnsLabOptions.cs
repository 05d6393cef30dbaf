namespace Ferry.Testing.Lab;

/// <summary>How <see cref="NetnsLab.CreateAsync"/> builds the lab.</summary>
public sealed record NetnsLabOptions
{
    /// <summary>How many node namespaces (<c>node1</c> … at 192.0.2.11 …, 2001:db8::11 …); 1 to 9.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Whether attached namespaces get a default route via the lan gateway (192.0.2.1, 2001:db8::1).</summary>
    public bool DefaultRoute { get; init; } = true;

    /// <summary>Makes the lab's unique suffix; injected so tests can pin it.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>The time limit for each <c>ip</c>/<c>sysctl</c> call while building and tearing down.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
