using System.Text.Json.Nodes;
using Ferry.ApiServer.Strategies;

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
    private static readonly string[] _allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] _createOnly = ["create"];

    /// <summary>Short names for discovery, e.g. <c>svc</c>.</summary>
    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Discovery categories, e.g. <c>all</c>.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Whether the kind has a <c>status</c> subresource (main writes keep status; status writes change only status).</summary>
    public bool HasStatus { get; init; }

    /// <summary>
    /// Whether this is a self review (<c>authorization.k8s.io</c>): create-only, answered from the request's identity,
    /// never stored (<see cref="Http.AccessReviewEndpoint"/>).
    /// </summary>
    public bool IsSelfReview { get; init; }

    /// <summary>The verbs discovery lists for the resource.</summary>
    public IReadOnlyList<string> Verbs => IsSelfReview ? _createOnly : _allVerbs;

    /// <summary>Whether <c>metadata.generation</c> is maintained (1 on create, +1 on spec change).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Field selector keys accepted besides <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public IReadOnlyList<string> FieldSelectors { get; init; } = [];

    /// <summary>How <c>kubectl get</c> renders this kind.</summary>
    public TableLayout Table { get; init; } = TableLayout.NameAge;

    /// <summary>What this kind does beyond the generic registry (server-set fields, admission, deletion).</summary>
    public KindStrategy Strategy { get; init; } = new();

    /// <summary>The storage key: group and plural, or the key of the resource this one is a view of.</summary>
    public string Key => StorageKey ?? Group + "/" + Plural;

    /// <summary>Set when this resource is another view of a stored resource (events.k8s.io over core events).</summary>
    public string? StorageKey { get; init; }

    /// <summary>Converts this resource's representation into the stored one (null: identical).</summary>
    public Func<JsonObject, JsonObject>? ToStorage { get; init; }

    /// <summary>Converts a stored object into this resource's representation (null: identical).</summary>
    public Func<JsonObject, JsonObject>? FromStorage { get; init; }

    /// <summary>The stored object as this resource presents it (the same instance when no conversion applies).</summary>
    public JsonObject Present(JsonObject stored) => FromStorage is null ? stored : FromStorage(stored);

    /// <summary>An incoming object in storage form.</summary>
    public JsonObject Store(JsonObject incoming) => ToStorage is null ? incoming : ToStorage(incoming);

    /// <summary>Set for a version of a custom resource: its definition, schema and printer columns (null for built-in kinds).</summary>
    public CustomResources.CustomResourceVersion? Custom { get; init; }

    /// <summary>The apiVersion written in objects.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The kind of list responses (<c>KindList</c> unless a custom resource's definition names another).</summary>
    public string ListKind
    {
        get => _listKind ?? Kind + "List";
        init => _listKind = value;
    }

    private readonly string? _listKind;
}
