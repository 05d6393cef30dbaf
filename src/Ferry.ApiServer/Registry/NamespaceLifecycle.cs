using System.Text.Json.Nodes;
using Ferry.ApiServer.Errors;
using Ferry.ApiServer.Resources;
using Ferry.ApiServer.Storage;

namespace Ferry.ApiServer.Registry;

/// <summary>
/// The namespace lifecycle kube-apiserver's admission plugin and namespace controller provide: no new content
/// in a missing or terminating namespace, and a deleted namespace is emptied (finalizers honoured) and
/// removed once empty. What a namespace object itself does on create and delete is <see cref="Strategies.NamespaceKindStrategy"/>.
/// </summary>
internal sealed class NamespaceLifecycle(ObjectStore store, ResourceCatalog catalog, Finalization finalization)
{
    private readonly ObjectStore _store = store;
    private readonly ResourceCatalog _catalog = catalog;
    private readonly Finalization _finalization = finalization;

    /// <summary>Under the store lock: 404 when the namespace is missing, 403 when it is terminating.</summary>
    public void CheckCanCreateIn(StoreTransaction tx, ResourceType type, string ns, string displayName)
    {
        if (!type.Namespaced)
        {
            return;
        }

        var nsObject = tx.Get(_catalog.Namespaces.Key, string.Empty, ns) ?? throw ApiErrors.NamespaceNotFound(ns);
        if (ObjectMetadata.IsDeleting(nsObject.Object))
        {
            throw ApiErrors.Forbidden(type, displayName, "unable to create new content in namespace " + ns + " because it is being terminated");
        }
    }

    /// <summary>After a committed delete: empties a deleted namespace, or removes a terminating one that just became empty.</summary>
    public async Task AfterDeleteAsync(ResourceType type, string ns, string name, WriteResult result)
    {
        if (type == _catalog.Namespaces)
        {
            await DrainAsync(name);
        }

        await AfterWriteAsync(type, ns, result);
    }

    /// <summary>After a committed write: an object in a terminating namespace that is itself being deleted may have been its last.</summary>
    public async Task AfterWriteAsync(ResourceType type, string ns, WriteResult result)
    {
        if (type.Namespaced && ObjectMetadata.IsDeleting(result.Object))
        {
            await FinishIfEmptyAsync(ns);
        }
    }

    /// <summary>Deletes a terminating namespace's content (finalizers honoured), then the namespace once empty.</summary>
    private async Task DrainAsync(string ns)
    {
        foreach (var type in _catalog.All.Where(t => t.Namespaced).DistinctBy(t => t.Key))
        {
            foreach (var item in _store.List(type.Key, ns).Items)
            {
                try
                {
                    await _store.WriteAsync(tx => _finalization.Delete(tx, type, ns, item.Name, null, dryRun: false));
                }
                catch (ApiException ex) when (ex.Code == 404)
                {
                    // Already gone.
                }
            }
        }

        await FinishIfEmptyAsync(ns);
    }

    private async Task FinishIfEmptyAsync(string ns)
    {
        await _store.WriteAsync(tx =>
        {
            var nsObject = tx.Get(_catalog.Namespaces.Key, string.Empty, ns);
            if (nsObject is null || !ObjectMetadata.IsDeleting(nsObject.Object))
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
