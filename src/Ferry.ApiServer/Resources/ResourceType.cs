namespace Ferry.ApiServer.Resources;

/// <summary>One served resource (group, version, plural) with what discovery, validation and printing need.</summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    Type ModelType)
{
    /// <summary>Short names for discovery, e.g. <c>svc</c>.</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Discovery categories, e.g. <c>all</c>.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Whether the kind has a <c>status</c> subresource (main writes keep status; status writes change only status).</summary>
    public bool HasStatus { get; init; }

    /// <summary>Whether <c>metadata.generation</c> is maintained (1 on create, +1 on spec change).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Field selector keys accepted besides <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyList<string> FieldSelectors { get; init; } = [];

    /// <summary>How <c>kubectl get</c> renders this kind.</summary>
    public TableLayout Table { get; init; } = TableLayout.NameAge;

    /// <summary>The storage key: group and plural (versions share one storage).</summary>
    public string Key => Group + "/" + Plural;

    /// <summary>The apiVersion written in objects.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The kind of list responses.</summary>
    public string ListKind => Kind + "List";
}
