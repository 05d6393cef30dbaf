using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Registry;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.CustomResources;

/// <summary>
/// Keeps the served custom resources in step with the stored definitions, and deletes a deleted definition's
/// objects before the definition itself goes (apiextensions' finalizer controller, run in the request path as
/// <see cref="NamespaceLifecycle"/> does for namespaces): each object is deleted with its own finalizers
/// honoured, and the definition's <see cref="DefinitionNames.CleanupFinalizer"/> is removed once none is left.
/// </summary>
internal sealed class DefinitionLifecycle
{
    private readonly ObjectStore _store;
    private readonly ResourceCatalog _catalog;
    private readonly Finalization _finalization;
    private readonly TimeProvider _time;

    public DefinitionLifecycle(ObjectStore store, ResourceCatalog catalog, Finalization finalization, TimeProvider time)
    {
        _store = store;
        _catalog = catalog;
        _finalization = finalization;
        _time = time;
        foreach (var stored in store.List(catalog.Definitions.Key, null).Items)
        {
            catalog.SetCustomTypes(stored.Name, DefinitionTypes.Of(stored.Object));
        }

        // Every accepted write of a definition, whichever path made it, changes what is served before its writer hears back.
        store.Observe(catalog.Definitions.Key, w =>
            catalog.SetCustomTypes(w.Name, w.Kind == WriteKind.Put ? DefinitionTypes.Of(w.Object) : []));
    }

    /// <summary>Before a create: no new object of a definition that is being deleted (403, as upstream).</summary>
    public static void CheckCanCreate(ResourceType type, string name)
    {
        if (type.Custom is { Terminating: true })
        {
            throw ApiErrors.Forbidden(type, name, "create not allowed while custom resource definition is terminating");
        }
    }

    /// <summary>After a committed delete: empties a deleted definition, or finishes one whose last object just went.</summary>
    public async Task AfterDeleteAsync(ResourceType type, string name, WriteResult result)
    {
        if (type == _catalog.Definitions && ObjectMetadata.IsDeleting(result.Object))
        {
            await DrainAsync(name);
            return;
        }

        if (type.Custom is { Terminating: true } custom)
        {
            await FinishIfEmptyAsync(custom.DefinitionName);
        }
    }

    /// <summary>After a committed update: an object of a terminating definition that lost its last finalizer may have been the last.</summary>
    public async Task AfterWriteAsync(ResourceType type, WriteResult result)
    {
        if (type.Custom is { Terminating: true } custom && ObjectMetadata.IsDeleting(result.Object))
        {
            await FinishIfEmptyAsync(custom.DefinitionName);
        }
    }

    private async Task DrainAsync(string definition)
    {
        var types = _catalog.CustomTypesOf(definition);
        if (types.IsDefaultOrEmpty)
        {
            await FinishIfEmptyAsync(definition);
            return;
        }

        await SetTerminatingAsync(definition, "InstanceDeletionInProgress", "CustomResource deletion is in progress");
        var type = types[0];
        foreach (var item in _store.List(type.Key, null).Items)
        {
            try
            {
                await _store.WriteAsync(tx => _finalization.Delete(tx, type, item.Namespace, item.Name, null, dryRun: false));
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Already gone.
            }
        }

        await FinishIfEmptyAsync(definition);
    }

    private Task<int> SetTerminatingAsync(string definition, string reason, string message) =>
        _store.WriteAsync(tx =>
        {
            if (tx.Get(_catalog.Definitions.Key, string.Empty, definition) is not { } current)
            {
                return 0;
            }

            var updated = current.Object.DeepClone().AsObject();
            DefinitionStatus.SetCondition(updated, DefinitionNames.Terminating, "True", reason, message, ObjectMetadata.Timestamp(_time));
            tx.Put(_catalog.Definitions.Key, string.Empty, definition, updated, created: false);
            return 1;
        });

    /// <summary>Removes the cleanup finalizer of a terminating definition with no objects left (and the definition, when it was the last).</summary>
    private Task<int> FinishIfEmptyAsync(string definition) =>
        _store.WriteAsync(tx =>
        {
            var current = tx.Get(_catalog.Definitions.Key, string.Empty, definition);
            if (current is null || !ObjectMetadata.IsDeleting(current.Object))
            {
                return 0;
            }

            var types = _catalog.CustomTypesOf(definition);
            if (!types.IsDefaultOrEmpty && tx.List(types[0].Key, null).Count > 0)
            {
                return 0;
            }

            var updated = current.Object.DeepClone().AsObject();
            DefinitionStatus.SetCondition(updated, DefinitionNames.Terminating, "True", "InstanceDeletionCompleted", "removed all instances", ObjectMetadata.Timestamp(_time));
            var meta = ObjectMetadata.Of(updated);
            var remaining = ObjectMetadata.Finalizers(updated).Where(f => f != DefinitionNames.CleanupFinalizer).ToList();
            meta["finalizers"] = new JsonArray([.. remaining.Select(f => (JsonNode?)JsonValue.Create(f))]);
            if (remaining.Count == 0)
            {
                meta.Remove("finalizers");
                tx.Delete(_catalog.Definitions.Key, string.Empty, definition, updated);
            }
            else
            {
                tx.Put(_catalog.Definitions.Key, string.Empty, definition, updated, created: false);
            }

            return 1;
        });
}
