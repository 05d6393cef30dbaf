using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ferry.ApiServer.Admission;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Hooks;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;
using Ferry.ApiServer.Validation;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// The generic registry (after apiserver's <c>registry/generic/registry/store.go</c>): server-set metadata,
/// optimistic concurrency, the status subresource split, finalizers and <c>deletionTimestamp</c>,
/// <c>dryRun</c>, namespace lifecycle, plus the admission and patch hooks.
/// </summary>
internal sealed class ResourceRegistry
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private static readonly string[] _protectedNamespaces = ["default", "kube-system", "kube-public"];
    private static readonly string[] _systemMetadata = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"];
    private readonly ObjectStore _store;
    private readonly ResourceCatalog _catalog;
    private readonly AdmissionHook _admission;
    private readonly TimeProvider _time;

    public ResourceRegistry(ObjectStore store, ResourceCatalog catalog, AdmissionHook admission, TimeProvider time)
    {
        _store = store;
        _catalog = catalog;
        _admission = admission;
        _time = time;
    }

    public ResourceCatalog Catalog => _catalog;

    public ObjectStore Store => _store;

    /// <summary>
    /// Creates the namespaces every cluster has and the <c>default/kubernetes</c> Service (first service address,
    /// port 443 to the API port), and rebuilds admission state from storage.
    /// </summary>
    public async Task InitializeAsync(int apiPort)
    {
        _admission.Rebuild(_store.List(_catalog.Services.Key, null).Items.Select(o => o.Object));
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            if (_store.Get(_catalog.Namespaces.Key, string.Empty, ns) is null)
            {
                await CreateAsync(_catalog.Namespaces, string.Empty, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, WriteOptions.Default);
            }
        }

        if (_store.Get(_catalog.Services.Key, "default", "kubernetes") is null)
        {
            var ip = _admission.KubernetesServiceIp;
            await CreateAsync(_catalog.Services, "default", new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = "kubernetes",
                    ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
                },
                ["spec"] = new JsonObject
                {
                    ["type"] = "ClusterIP",
                    ["clusterIP"] = ip,
                    ["clusterIPs"] = new JsonArray(ip),
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = apiPort }),
                },
            }, WriteOptions.Default);
        }
    }

    public JsonObject Get(ResourceType type, string ns, string name) =>
        type.Present(_store.Get(type.Key, Scope(type, ns), name)?.Object ?? throw ApiErrors.NotFound(type, name));

    public async Task<WriteResult> CreateAsync(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        ns = Scope(type, ns);
        var warnings = Prepare(type, ns, body, options, isPatch: false);
        var meta = Meta(body);
        var name = JsonRead.Str(meta["name"]);
        var generateName = JsonRead.Str(meta["generateName"]);
        if (name.Length == 0 && generateName.Length == 0)
        {
            throw ApiErrors.Invalid(type, string.Empty, [FieldErrors.Required("metadata.name", "name or generateName is required")]);
        }

        foreach (var field in _systemMetadata.Append("resourceVersion").Append("selfLink"))
        {
            meta.Remove(field);
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Now();
        if (type.TracksGeneration)
        {
            meta["generation"] = 1;
        }

        PrepareForCreate(type, body);
        body = type.Store(body);
        meta = Meta(body);
        var created = await _store.WriteAsync(tx =>
        {
            if (type.Namespaced)
            {
                var nsObject = tx.Get(_catalog.Namespaces.Key, string.Empty, ns) ?? throw ApiErrors.NamespaceNotFound(ns);
                if (nsObject.Object["metadata"]?["deletionTimestamp"] is not null)
                {
                    throw ApiErrors.Forbidden(type, name.Length > 0 ? name : generateName, "unable to create new content in namespace " + ns + " because it is being terminated");
                }
            }

            if (name.Length == 0)
            {
                name = GenerateName(tx, type, ns, generateName);
                meta["name"] = name;
            }
            else if (tx.Get(type.Key, ns, name) is not null)
            {
                throw ApiErrors.AlreadyExists(type, name);
            }

            _admission.OnCreate(type, body, options.DryRun);
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
        var warnings = Prepare(type, ns, body, options, isPatch: false);
        CheckName(body, name);
        body = type.Store(body);
        var result = await _store.WriteAsync(tx =>
        {
            var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
            return Commit(tx, type, current, body, status, options, warnings);
        });
        await AfterWriteAsync(type, ns, result);
        return Presented(type, result);
    }

    public async Task<WriteResult> PatchAsync(ResourceType type, string ns, string name, bool status, string mediaType, JsonNode patch, WriteOptions options, bool force)
    {
        ns = Scope(type, ns);
        if (mediaType == PatchHook.ApplyPatchType && string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        if (force && mediaType != PatchHook.ApplyPatchType)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
        }

        var existing = _store.Get(type.Key, ns, name);
        if (existing is null && mediaType == PatchHook.ApplyPatchType && !status)
        {
            var created = PatchHook.Apply(mediaType, null, patch, type, options.FieldManager, force, status: false, _time);
            var createdMeta = Meta(created);
            createdMeta["name"] ??= name;
            CheckName(created, name);
            return await CreateAsync(type, ns, created, options);
        }

        var result = await _store.WriteAsync(tx =>
        {
            var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
            var patched = PatchHook.Apply(mediaType, type.Present(current.Object).DeepClone().AsObject(), patch, type, options.FieldManager, force, status, _time);
            var warnings = Prepare(type, ns, patched, options, isPatch: true);
            CheckName(patched, name);
            return Commit(tx, type, current, type.Store(patched), status, options, warnings);
        });
        await AfterWriteAsync(type, ns, result);
        return Presented(type, result);
    }

    public async Task<WriteResult> DeleteAsync(ResourceType type, string ns, string name, JsonObject? deleteOptions, bool dryRun)
    {
        ns = Scope(type, ns);
        if (type == _catalog.Namespaces && _protectedNamespaces.Contains(name))
        {
            throw ApiErrors.Forbidden(type, name, "this namespace may not be deleted");
        }

        var result = await _store.WriteAsync(tx => DeleteLocked(tx, type, ns, name, deleteOptions, dryRun));
        if (!dryRun)
        {
            if (type == _catalog.Namespaces)
            {
                await DrainNamespaceAsync(name);
            }

            await AfterWriteAsync(type, ns, result);
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

    private static JsonObject Meta(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        if (obj["metadata"] is not null)
        {
            throw ApiErrors.BadRequest("metadata must be an object");
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    private static void CheckName(JsonObject body, string urlName)
    {
        var meta = Meta(body);
        var bodyName = meta["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty;
        if (bodyName.Length == 0)
        {
            meta["name"] = urlName;
        }
        else if (bodyName != urlName)
        {
            throw ApiErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + urlName + ")");
        }
    }

    private static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray a
            ? [.. a.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty)]
            : [];

    private static string? ResourceVersionOf(JsonObject obj) =>
        obj["metadata"]?["resourceVersion"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Checks apiVersion, kind, namespace and fields of an incoming object; returns warnings.</summary>
    private static List<string> Prepare(ResourceType type, string ns, JsonObject body, WriteOptions options, bool isPatch)
    {
        if (body["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var apiVersion) && apiVersion.Length > 0 && apiVersion != type.ApiVersion)
        {
            throw ApiErrors.BadRequest("the API version in the data (" + apiVersion + ") does not match the expected API version (" + type.ApiVersion + ")");
        }

        if (body["kind"] is JsonValue kv && kv.TryGetValue<string>(out var kind) && kind.Length > 0 && kind != type.Kind)
        {
            throw ApiErrors.BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" + type.Kind + ")");
        }

        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
        var meta = Meta(body);
        if (type.Namespaced)
        {
            var bodyNs = meta["namespace"] is JsonValue nv && nv.TryGetValue<string>(out var s) ? s : string.Empty;
            if (bodyNs.Length > 0 && bodyNs != ns)
            {
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        var warnings = new List<string>();
        var unknown = ModelSchema.UnknownFields(body, type.ModelType);
        if (unknown.Count > 0)
        {
            var texts = unknown.Select(u => "unknown field \"" + u + "\"").ToList();
            if (string.Equals(options.FieldValidation, "Strict", StringComparison.OrdinalIgnoreCase))
            {
                var message = "strict decoding error: " + string.Join(", ", texts);
                throw isPatch
                    ? new ApiException(422, "Invalid", type.Kind + " \"" + JsonRead.Str(meta["name"]) + "\" is invalid: patch: " + message)
                    : ApiErrors.BadRequest(message);
            }

            if (!string.Equals(options.FieldValidation, "Ignore", StringComparison.OrdinalIgnoreCase))
            {
                warnings.AddRange(texts);
            }
        }

        if (ModelSchema.DecodeError(body, type.ModelType) is { } decodeError)
        {
            var message = type.Kind + " in version \"" + type.Version + "\" cannot be handled as a " + type.Kind + ": " + decodeError;
            throw isPatch ? new ApiException(422, "Invalid", message) : ApiErrors.BadRequest(message);
        }

        return warnings;
    }

    private void PrepareForCreate(ResourceType type, JsonObject body)
    {
        if (type == _catalog.Services)
        {
            body["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        }
        else if (type.Group == "apps")
        {
            body["status"] = new JsonObject();
        }
        else if (type == _catalog.Namespaces)
        {
            var meta = Meta(body);
            var name = JsonRead.Str(meta["name"]);
            if (meta["labels"] is not JsonObject labels)
            {
                labels = [];
                meta["labels"] = labels;
            }

            labels["kubernetes.io/metadata.name"] = name;
            body["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            body["status"] = new JsonObject { ["phase"] = "Active" };
        }
    }

    private static string GenerateName(StoreTransaction tx, ResourceType type, string ns, string generateName)
    {
        var prefix = generateName.Length > 58 ? generateName[..58] : generateName;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var candidate = prefix + RandomNumberGenerator.GetString(GenerateNameAlphabet, 5);
            if (tx.Get(type.Key, ns, candidate) is null)
            {
                return candidate;
            }
        }

        var ex = ApiErrors.AlreadyExists(type, generateName);
        throw new ApiException(409, "AlreadyExists", ex.Message + ", the server was not able to generate a unique name for the object",
            new JsonObject { ["name"] = generateName, ["kind"] = type.Plural, ["retryAfterSeconds"] = 1 });
    }

    /// <summary>The shared tail of update and patch: precondition, status split, immutables, finalizers, no-op detection.</summary>
    private WriteResult Commit(StoreTransaction tx, ResourceType type, StoredObject current, JsonObject incoming, bool status, WriteOptions options, List<string> warnings)
    {
        var old = current.Object;
        var rv = ResourceVersionOf(incoming);
        if (rv is not null && rv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw ApiErrors.StaleObject(type, current.Name);
        }

        var updated = incoming;
        if (status)
        {
            // As kube-apiserver's status strategies: a status write may change status and metadata, never spec.
            if (old["spec"] is { } spec)
            {
                updated["spec"] = spec.DeepClone();
            }
            else
            {
                updated.Remove("spec");
            }
        }
        else if (type.HasStatus)
        {
            if (old["status"] is { } oldStatus)
            {
                updated["status"] = oldStatus.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }
        }

        var meta = Meta(updated);
        var oldMeta = Meta(old);
        foreach (var field in _systemMetadata)
        {
            if (oldMeta[field] is { } value)
            {
                meta[field] = value.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        meta.Remove("selfLink");
        meta["resourceVersion"] = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (type.TracksGeneration)
        {
            var generation = Math.Max(1, JsonRead.Long(oldMeta["generation"]));
            if (!status && (!JsonNode.DeepEquals(updated["spec"], old["spec"]) || !JsonNode.DeepEquals(meta["annotations"], oldMeta["annotations"])))
            {
                generation++;
            }

            meta["generation"] = generation;
        }

        var deleting = oldMeta["deletionTimestamp"] is not null;
        var finalizers = Finalizers(updated);
        if (deleting)
        {
            var oldFinalizers = Finalizers(old);
            var added = finalizers.Where(f => !oldFinalizers.Contains(f)).ToList();
            if (added.Count > 0)
            {
                throw ApiErrors.Invalid(type, current.Name, [FieldErrors.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{\"" + string.Join("\", \"", added) + "\"}")]);
            }
        }

        _admission.OnUpdate(type, updated, old, status, options.DryRun);
        if (JsonNode.DeepEquals(updated, old))
        {
            return new WriteResult(old.DeepClone().AsObject(), 200, warnings);
        }

        if (options.DryRun)
        {
            return new WriteResult(updated, 200, warnings);
        }

        if (deleting && finalizers.Count == 0)
        {
            _admission.OnDelete(type, updated);
            return new WriteResult(tx.Delete(type.Key, current.Namespace, current.Name, updated).DeepClone().AsObject(), 200, warnings);
        }

        return new WriteResult(tx.Put(type.Key, current.Namespace, current.Name, updated, created: false).DeepClone().AsObject(), 200, warnings);
    }

    private WriteResult DeleteLocked(StoreTransaction tx, ResourceType type, string ns, string name, JsonObject? deleteOptions, bool dryRun)
    {
        var current = tx.Get(type.Key, ns, name) ?? throw ApiErrors.NotFound(type, name);
        if (deleteOptions?["preconditions"] is JsonObject pre)
        {
            var meta = current.Object["metadata"];
            if (pre["uid"] is JsonValue uidValue && uidValue.TryGetValue<string>(out var uid) && uid.Length > 0 && uid != JsonRead.Str(meta?["uid"]))
            {
                throw ApiErrors.Conflict(type, name, "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + meta?["uid"]);
            }

            if (pre["resourceVersion"] is JsonValue rvValue && rvValue.TryGetValue<string>(out var rv) && rv.Length > 0
                && rv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiErrors.Conflict(type, name, "Precondition failed: ResourceVersion in precondition: " + rv + ", ResourceVersion in object meta: " + current.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            }
        }

        var obj = current.Object.DeepClone().AsObject();
        var objMeta = Meta(obj);
        var graceful = Finalizers(obj).Count > 0 || type == _catalog.Namespaces;
        if (graceful)
        {
            if (objMeta["deletionTimestamp"] is not null)
            {
                return new WriteResult(obj, 200, []);
            }

            objMeta["deletionTimestamp"] = Now();
            objMeta["deletionGracePeriodSeconds"] = 0;
            if (type == _catalog.Namespaces)
            {
                obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            }

            return dryRun ? new WriteResult(obj, 200, []) : new WriteResult(tx.Put(type.Key, ns, name, obj, created: false).DeepClone().AsObject(), 200, []);
        }

        if (dryRun)
        {
            return new WriteResult(obj, 200, []);
        }

        _admission.OnDelete(type, obj);
        return new WriteResult(tx.Delete(type.Key, ns, name, obj).DeepClone().AsObject(), 200, []);
    }

    /// <summary>Deletes a terminating namespace's content (finalizers honoured), then the namespace once empty.</summary>
    private async Task DrainNamespaceAsync(string ns)
    {
        foreach (var type in _catalog.All.Where(t => t.Namespaced))
        {
            foreach (var item in _store.List(type.Key, ns).Items)
            {
                try
                {
                    await _store.WriteAsync(tx => DeleteLocked(tx, type, ns, item.Name, null, dryRun: false));
                }
                catch (ApiException ex) when (ex.Code == 404)
                {
                    // Already gone.
                }
            }
        }

        await FinishNamespaceIfEmptyAsync(ns);
    }

    private async Task AfterWriteAsync(ResourceType type, string ns, WriteResult result)
    {
        if (type.Namespaced && result.Object["metadata"]?["deletionTimestamp"] is not null)
        {
            await FinishNamespaceIfEmptyAsync(ns);
        }
    }

    private async Task FinishNamespaceIfEmptyAsync(string ns)
    {
        await _store.WriteAsync(tx =>
        {
            var nsObject = tx.Get(_catalog.Namespaces.Key, string.Empty, ns);
            if (nsObject?.Object["metadata"]?["deletionTimestamp"] is null)
            {
                return 0;
            }

            if (_catalog.All.Any(t => t.Namespaced && tx.List(t.Key, ns).Count > 0))
            {
                return 0;
            }

            var final = nsObject.Object.DeepClone().AsObject();
            final["spec"] = new JsonObject { ["finalizers"] = new JsonArray() };
            tx.Delete(_catalog.Namespaces.Key, string.Empty, ns, final);
            return 1;
        });
    }
}
