using System.Text.Json.Nodes;
using Ferry.ApiServer.CustomResources;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Patching;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// The generic registry (after apiserver's <c>registry/generic/registry/store.go</c>) and the only path to
/// storage: server-set metadata, optimistic concurrency, the status subresource split, list resourceVersion
/// rules, watch registration and <c>dryRun</c>. Per-kind behaviour comes from <see cref="ResourceType.Strategy"/>
/// through <see cref="AdmissionChain"/>; finalizers from <see cref="Finalization"/>; namespaces from
/// <see cref="NamespaceLifecycle"/>.
/// </summary>
internal sealed class ResourceRegistry
{
    private readonly ObjectStore _store;
    private readonly ResourceCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly Finalization _finalization;
    private readonly NamespaceLifecycle _namespaces;
    private readonly DefinitionLifecycle _definitions;

    public ResourceRegistry(ObjectStore store, ResourceCatalog catalog, TimeProvider time)
    {
        _store = store;
        _catalog = catalog;
        _time = time;
        _finalization = new Finalization(time);
        _namespaces = new NamespaceLifecycle(store, catalog, _finalization);
        _definitions = new DefinitionLifecycle(store, catalog, _finalization, time);
    }

    public ResourceCatalog Catalog => _catalog;

    /// <summary>The resourceVersion of the last durable write.</summary>
    public long CurrentResourceVersion => _store.CurrentResourceVersion;

    /// <summary>One object as its resource presents it, or null.</summary>
    public JsonObject? Find(ResourceType type, string ns, string name) =>
        _store.Get(type.Key, Scope(type, ns), name) is { } stored ? type.Present(stored.Object) : null;

    /// <summary>One object as its resource presents it; 404 when missing.</summary>
    public JsonObject Get(ResourceType type, string ns, string name) =>
        Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);

    /// <summary>
    /// A consistent snapshot of one resource (optionally one namespace) in storage form, and its resourceVersion.
    /// A requested <paramref name="resourceVersion"/> newer than the store gives 504 (the client retries); with
    /// <paramref name="match"/> <c>Exact</c>, any other version than the current one gives 410 Expired
    /// (no history of lists is kept).
    /// </summary>
    public (List<StoredObject> Items, long ResourceVersion) List(ResourceType type, string? ns, string resourceVersion = "", string match = "")
    {
        var (items, listRv) = _store.List(type.Key, ns);
        if (!ResourceVersions.IsAny(resourceVersion))
        {
            var requested = ResourceVersions.Parse(resourceVersion);
            if (requested > listRv)
            {
                throw ApiErrors.TooLargeResourceVersion(requested, listRv);
            }

            if (match == "Exact" && requested != listRv)
            {
                throw ApiErrors.Expired("too old resource version: " + resourceVersion + " (" + ResourceVersions.Format(listRv) + ")");
            }
        }

        return (items, listRv);
    }

    /// <summary>
    /// Registers a watch. With <paramref name="fromVersion"/> null it starts with the current objects; otherwise
    /// with the retained events after that version (a <see cref="StorageException"/> Expired when they are gone).
    /// </summary>
    public WatchRegistration Watch(ResourceType type, string? ns, long? fromVersion)
    {
        var (initial, watcher) = _store.Watch(type.Key, ns, fromVersion);
        return new WatchRegistration(_store, initial, watcher);
    }

    /// <summary>Creates an object; <paramref name="applied"/> when server-side apply made it (its managedFields are already set).</summary>
    public async Task<WriteResult> CreateAsync(ResourceType type, string ns, JsonObject body, WriteOptions options, bool applied = false)
    {
        ns = Scope(type, ns);
        var warnings = IncomingObject.Prepare(type, ns, body, options, isPatch: false);
        var meta = ObjectMetadata.Of(body);
        var name = JsonRead.Str(meta["name"]);
        DefinitionLifecycle.CheckCanCreate(type, name);
        var generateName = JsonRead.Str(meta["generateName"]);
        if (name.Length == 0 && generateName.Length == 0)
        {
            throw ApiErrors.Invalid(type, string.Empty, [Admission.FieldErrors.Required("metadata.name", "name or generateName is required")]);
        }

        foreach (var field in ObjectMetadata.SystemFields.Append("resourceVersion").Append("selfLink"))
        {
            meta.Remove(field);
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = ObjectMetadata.Timestamp(_time);
        if (type.TracksGeneration)
        {
            meta["generation"] = 1;
        }

        type.Strategy.PrepareForCreate(body);
        if (!applied && options.UpdateManager.Length > 0)
        {
            UpdateOwnership.Record(null, body, type.Kind, type.ApiVersion, options.UpdateManager, string.Empty, _time);
        }

        body = type.Store(body);
        meta = ObjectMetadata.Of(body);
        var created = await _store.WriteAsync(tx =>
        {
            _namespaces.CheckCanCreateIn(tx, type, ns, name.Length > 0 ? name : generateName);
            if (name.Length == 0)
            {
                name = NameGenerator.Generate(tx, type, ns, generateName);
                meta["name"] = name;
            }
            else if (tx.Get(type.Key, ns, name) is not null)
            {
                throw ApiErrors.AlreadyExists(type, name);
            }

            AdmissionChain.OnCreate(type, body, options.DryRun);
            warnings.AddRange(type.Strategy.Warnings(body, status: false));
            if (options.DryRun)
            {
                return new WriteResult(body, 201, warnings);
            }

            return new WriteResult(tx.Put(type.Key, ns, name, body, created: true).DeepClone().AsObject(), 201, warnings);
        });
        return Presented(type, created);
    }

    public async Task<WriteResult> UpdateAsync(ResourceType type, string ns, string name, JsonObject body, bool status, WriteOptions options)
    {
        ns = Scope(type, ns);
        var warnings = IncomingObject.Prepare(type, ns, body, options, isPatch: false);
        ObjectMetadata.CheckName(body, name);
        body = type.Store(body);
        var result = await _store.WriteAsync(tx =>
        {
            var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
            return Commit(tx, type, current, body, status, options, warnings, options.UpdateManager);
        });
        await _namespaces.AfterWriteAsync(type, ns, result);
        await _definitions.AfterWriteAsync(type, result);
        return Presented(type, result);
    }

    public async Task<WriteResult> PatchAsync(ResourceType type, string ns, string name, bool status, string mediaType, JsonNode patch, WriteOptions options, bool force)
    {
        ns = Scope(type, ns);
        if (mediaType == PatchTypes.Apply && string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        if (type.Custom is not null && mediaType == PatchTypes.StrategicMergePatch)
        {
            // As apiextensions-apiserver: custom resources have no strategic merge metadata.
            throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + PatchTypes.JsonPatch + ", " + PatchTypes.MergePatch + ", " + PatchTypes.Apply);
        }

        if (force && mediaType != PatchTypes.Apply)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
        }

        var existing = _store.Get(type.Key, ns, name);
        if (existing is null && mediaType == PatchTypes.Apply && !status)
        {
            var created = PatchApplier.Apply(mediaType, null, patch, type, options.FieldManager, force, status: false, _time);
            var createdMeta = ObjectMetadata.Of(created);
            createdMeta["name"] ??= name;
            ObjectMetadata.CheckName(created, name);
            return await CreateAsync(type, ns, created, options, applied: true);
        }

        var result = await _store.WriteAsync(tx =>
        {
            var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
            var patched = PatchApplier.Apply(mediaType, type.Present(current.Object).DeepClone().AsObject(), patch, type, options.FieldManager, force, status, _time);
            var warnings = IncomingObject.Prepare(type, ns, patched, options, isPatch: true);
            ObjectMetadata.CheckName(patched, name);
            return Commit(tx, type, current, type.Store(patched), status, options, warnings, mediaType == PatchTypes.Apply ? string.Empty : options.UpdateManager);
        });
        await _namespaces.AfterWriteAsync(type, ns, result);
        await _definitions.AfterWriteAsync(type, result);
        return Presented(type, result);
    }

    public async Task<WriteResult> DeleteAsync(ResourceType type, string ns, string name, JsonObject? deleteOptions, bool dryRun)
    {
        ns = Scope(type, ns);
        if (type.Strategy.DeletionForbidden(name) is { } why)
        {
            throw ApiErrors.Forbidden(type, name, why);
        }

        var result = await _store.WriteAsync(tx => _finalization.Delete(tx, type, ns, name, deleteOptions, dryRun));
        if (!dryRun)
        {
            await _namespaces.AfterDeleteAsync(type, ns, name, result);
            await _definitions.AfterDeleteAsync(type, name, result);
        }

        return Presented(type, result);
    }

    public async Task<List<JsonObject>> DeleteCollectionAsync(ResourceType type, string? ns, Func<JsonObject, bool>? filter, bool dryRun)
    {
        var (items, _) = _store.List(type.Key, ns is null ? null : Scope(type, ns));
        var deleted = new List<JsonObject>();
        foreach (var item in items)
        {
            if (filter is not null && !filter(type.Present(item.Object)))
            {
                continue;
            }

            try
            {
                deleted.Add((await DeleteAsync(type, item.Namespace, item.Name, null, dryRun)).Object);
            }
            catch (ApiException ex) when (ex.Code is 404 or 403)
            {
                // Raced with another delete, or a protected namespace: skip it as the apiserver does.
            }
        }

        return deleted;
    }

    private static WriteResult Presented(ResourceType type, WriteResult result) =>
        type.FromStorage is null ? result : result with { Object = type.Present(result.Object) };

    private static string Scope(ResourceType type, string ns) => type.Namespaced ? ns : string.Empty;

    /// <summary>
    /// The shared tail of update and patch: precondition, status split, managedFields of <paramref name="manager"/>
    /// (empty: not recorded, as for apply, which records its own), immutables, finalizers, no-op detection.
    /// </summary>
    private WriteResult Commit(StoreTransaction tx, ResourceType type, StoredObject current, JsonObject incoming, bool status, WriteOptions options, List<string> warnings, string manager)
    {
        var old = current.Object;
        var rv = ObjectMetadata.ResourceVersionOf(incoming);
        if (rv is not null && rv != ResourceVersions.Format(current.ResourceVersion))
        {
            throw ApiErrors.StaleObject(type, current.Name);
        }

        var updated = incoming;
        if (status)
        {
            // As kube-apiserver's status strategies: a status write may change status and metadata, never spec.
            CopyField(old, updated, "spec");
        }
        else if (type.HasStatus)
        {
            CopyField(old, updated, "status");
        }

        var meta = ObjectMetadata.Of(updated);
        var oldMeta = ObjectMetadata.Of(old);
        foreach (var field in ObjectMetadata.SystemFields)
        {
            CopyField(oldMeta, meta, field);
        }

        meta.Remove("selfLink");
        meta["resourceVersion"] = ResourceVersions.Format(current.ResourceVersion);
        if (manager.Length > 0)
        {
            // Before admission, as upstream: what the server defaults or allocates is not the writer's.
            UpdateOwnership.Record(old, updated, type.Kind, type.ApiVersion, manager, status ? "status" : string.Empty, _time);
        }
        if (type.TracksGeneration)
        {
            var generation = Math.Max(1, JsonRead.Long(oldMeta["generation"]));
            if (!status && type.Strategy.BumpsGeneration(updated, old))
            {
                generation++;
            }

            meta["generation"] = generation;
        }

        var deleting = oldMeta["deletionTimestamp"] is not null;
        if (deleting)
        {
            Finalization.CheckNoNewFinalizers(type, current.Name, updated, old);
        }

        AdmissionChain.OnUpdate(type, updated, old, status, options.DryRun, warnings);
        warnings.AddRange(type.Strategy.Warnings(updated, status));
        if (JsonNode.DeepEquals(updated, old))
        {
            return new WriteResult(old.DeepClone().AsObject(), 200, warnings);
        }

        if (options.DryRun)
        {
            return new WriteResult(updated, 200, warnings);
        }

        if (deleting && ObjectMetadata.Finalizers(updated).Count == 0)
        {
            AdmissionChain.OnDelete(type, updated);
            return new WriteResult(tx.Delete(type.Key, current.Namespace, current.Name, updated).DeepClone().AsObject(), 200, warnings);
        }

        return new WriteResult(tx.Put(type.Key, current.Namespace, current.Name, updated, created: false).DeepClone().AsObject(), 200, warnings);
    }

    /// <summary>Sets <paramref name="field"/> of <paramref name="target"/> to a copy of the source's, or removes it when the source has none.</summary>
    private static void CopyField(JsonObject source, JsonObject target, string field)
    {
        if (source[field] is { } value)
        {
            target[field] = value.DeepClone();
        }
        else
        {
            target.Remove(field);
        }
    }
}
