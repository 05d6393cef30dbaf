using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ferry.Contracts.Announcement;
using Ferry.Ipam;

namespace Ferry.Controller.Pools;

/// <summary>
/// One <c>AddressPool</c> object (<c>addresspools.ferry.dev</c>, deploy/crds/ferry.dev_addresspools.yaml) as
/// the controller needs it: its metadata, and either the pool and its announcement or every error of its
/// spec. Pure: <see cref="Parse"/> takes the object as the API returns it.
/// </summary>
/// <remarks>
/// The spec follows the rules of a pool of the pools file (docs/running-in-a-cluster.md, "The pools
/// file"; <c>Ferry.Configuration.Pools.AddressPoolsFile</c>), with the same messages: bad ranges, ranges
/// overlapping within the pool, bad interface names and interfaces without <c>announce: l2</c> are errors.
/// Unknown fields are not: the API server prunes them. Overlaps with other pools are
/// <see cref="PoolSet.Build"/>'s business.
/// </remarks>
public sealed partial class AddressPoolResource
{
    private AddressPoolResource(
        string name,
        long generation,
        DateTimeOffset? creationTimestamp,
        bool isDeleting,
        ImmutableArray<string> finalizers,
        ImmutableArray<AddressRange> ranges,
        AddressPool? pool,
        PoolAnnouncement? announcement,
        ImmutableArray<PoolFieldError> errors)
    {
        Name = name;
        Generation = generation;
        CreationTimestamp = creationTimestamp;
        IsDeleting = isDeleting;
        Finalizers = finalizers;
        Ranges = ranges;
        Pool = pool;
        Announcement = announcement;
        Errors = errors;
    }

    /// <summary><c>metadata.name</c>: the pool's name (<c>ferry.dev/address-pool</c> selects it).</summary>
    public string Name { get; }

    /// <summary><c>metadata.generation</c>, 0 when absent; the status reports it as <c>observedGeneration</c>.</summary>
    public long Generation { get; }

    /// <summary><c>metadata.creationTimestamp</c>: of two overlapping pools the older one serves.</summary>
    public DateTimeOffset? CreationTimestamp { get; }

    /// <summary>True when <c>metadata.deletionTimestamp</c> is set: the pool hands out no new address.</summary>
    public bool IsDeleting { get; }

    /// <summary><c>metadata.finalizers</c>, in order.</summary>
    public ImmutableArray<string> Finalizers { get; }

    /// <summary>True when <see cref="PoolFinalizer.Name"/> is among <see cref="Finalizers"/>.</summary>
    public bool HasFinalizer => Finalizers.Contains(PoolFinalizer.Name);

    /// <summary>
    /// Every entry of <c>spec.addresses</c> that parsed, even when other fields are wrong, so the addresses a
    /// pool handed out before its spec went bad are still found (<see cref="PoolFinalizer"/>).
    /// </summary>
    public ImmutableArray<AddressRange> Ranges { get; }

    /// <summary>The pool, or null when <see cref="Errors"/> is not empty.</summary>
    public AddressPool? Pool { get; }

    /// <summary>How the pool is announced, or null when <see cref="Errors"/> is not empty.</summary>
    public PoolAnnouncement? Announcement { get; }

    /// <summary>Every problem of the object, in the order of its fields; empty when the spec is valid.</summary>
    public ImmutableArray<PoolFieldError> Errors { get; }

    /// <summary>True when the spec is valid: then <see cref="Pool"/> and <see cref="Announcement"/> are set.</summary>
    [MemberNotNullWhen(true, nameof(Pool), nameof(Announcement))]
    public bool IsValid => Pool is not null && Announcement is not null;

    /// <summary>Reads an <c>AddressPool</c> object (its <c>metadata</c> and <c>spec</c>; <c>status</c> is ignored).</summary>
    public static AddressPoolResource Parse(JsonObject resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var errors = new List<PoolFieldError>();
        var metadata = resource["metadata"] as JsonObject;
        var name = JsonFields.String(metadata?["name"]) ?? string.Empty;
        if (name.Length == 0)
        {
            errors.Add(new PoolFieldError("metadata.name", "required"));
        }

        var finalizers = metadata?["finalizers"] is JsonArray items
            ? [.. items.Select(JsonFields.String).OfType<string>()]
            : ImmutableArray<string>.Empty;
        var spec = SpecReader.Read(resource["spec"], name, errors);
        var valid = errors.Count == 0 && spec.Pool is not null;
        return new AddressPoolResource(
            name,
            JsonFields.Integer(metadata?["generation"]) ?? 0,
            JsonFields.Timestamp(metadata?["creationTimestamp"]),
            JsonFields.Kind(metadata?["deletionTimestamp"]) != JsonValueKind.Null,
            finalizers,
            spec.Ranges,
            valid ? spec.Pool : null,
            valid ? spec.Announcement : null,
            [.. errors]);
    }
}
