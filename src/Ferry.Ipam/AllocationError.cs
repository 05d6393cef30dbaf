namespace Ferry.Ipam;

/// <summary>Why an allocation failed. These are expected outcomes, returned, never thrown.</summary>
public enum AllocationError
{
    /// <summary>The request itself is malformed (no family, an address of a family not asked for, …).</summary>
    InvalidRequest,

    /// <summary>The named pool does not exist.</summary>
    UnknownPool,

    /// <summary>The pool does not serve the Service's namespace.</summary>
    NamespaceNotAllowed,

    /// <summary>A requested address is in no pool (or not in the named pool, or is a network/broadcast address).</summary>
    AddressNotInPool,

    /// <summary>A requested address is held by another Service that does not share with this one.</summary>
    AddressInUse,

    /// <summary>A requested address is shareable but a port collides with a Service already on it.</summary>
    PortConflict,

    /// <summary>Pools that may serve the Service exist and hold its families, but none has a free address.</summary>
    PoolExhausted,

    /// <summary>No pool may serve the Service: none allows its namespace, auto-assigns, or holds every family it needs.</summary>
    NoPool,
}
