namespace Ferry.Lab.Tests;

/// <summary>
/// The lab tests run one at a time: each builds its own namespaces (unique names, so they could share the
/// machine), but several labs of <c>ferry</c> processes at once would only slow each other down on CI.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OneLabAtATime
{
    public const string Name = "network-namespace lab";
}
