using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Admission;

/// <summary>
/// The whole Service admission pipeline in kube-apiserver's order: defaulting, registry strategy, allocation,
/// validation; allocation is rolled back when validation fails or on a dry run.
/// </summary>
/// <remarks>Thread-safe (the allocator serialises); mutates only the incoming object.</remarks>
public sealed class ServiceAdmission
{
    private readonly ServiceAllocator _allocator;

    public ServiceAdmission(ServiceAllocator allocator)
    {
        _allocator = allocator ?? throw new ArgumentNullException(nameof(allocator));
    }

    /// <summary>Admits a new Service; on success it carries its cluster IP and node ports. Errors of type
    /// <see cref="FieldErrorType.InternalError"/> mean HTTP 500, others 422 (see <see cref="InvalidStatus"/>).</summary>
    public IReadOnlyList<FieldError> AdmitCreate(JsonObject service, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(service);
        ServiceDefaulter.ApplyDefaults(service);
        ServiceStrategy.PrepareForCreate(service);
        var allocation = _allocator.BeginCreate(service);
        if (!allocation.Succeeded)
        {
            return allocation.Errors;
        }

        return Finish(allocation, ServiceValidator.Validate(service, null), dryRun);
    }

    /// <summary>Admits an update of the main resource (PUT or any patch); status is kept from <paramref name="old"/>.</summary>
    public IReadOnlyList<FieldError> AdmitUpdate(JsonObject old, JsonObject updated, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        ServiceDefaulter.ApplyDefaults(updated);
        ServiceStrategy.PrepareForUpdate(updated, old);
        var allocation = _allocator.BeginUpdate(old, updated);
        if (!allocation.Succeeded)
        {
            return allocation.Errors;
        }

        return Finish(allocation, ServiceValidator.Validate(updated, old), dryRun);
    }

    /// <summary>Admits a write to the <c>status</c> subresource: spec is kept from <paramref name="old"/>.</summary>
    /// <param name="hasIpMode">False for a server without <c>ingress[].ipMode</c> (before 1.30): it is neither defaulted nor required.</param>
    public static IReadOnlyList<FieldError> AdmitStatusUpdate(JsonObject old, JsonObject updated, bool hasIpMode = true)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        ServiceStrategy.PrepareForStatusUpdate(updated, old);
        ServiceDefaulter.DefaultStatus(updated, hasIpMode);
        return ServiceValidator.ValidateStatus(updated, old, hasIpMode);
    }

    /// <summary>Frees what a deleted Service held (call when it is finally removed from storage).</summary>
    public void Deleted(JsonObject service) => _allocator.Release(service);

    private static IReadOnlyList<FieldError> Finish(ServiceAllocation allocation, IReadOnlyList<FieldError> errors, bool dryRun)
    {
        if (errors.Count > 0 || dryRun)
        {
            allocation.Revert();
        }
        else
        {
            allocation.Commit();
        }

        return errors;
    }
}
