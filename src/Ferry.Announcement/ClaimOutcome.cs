namespace Ferry.Announcement;

/// <summary>How a claim ended.</summary>
public enum ClaimOutcome
{
    /// <summary>The address is local and answered for on the interfaces.</summary>
    Claimed,

    /// <summary>The probe found another host using the address; it is not claimed.</summary>
    Conflict,

    /// <summary>The address could not be claimed (no interface, missing capability, ...); the detail says why.</summary>
    Failed,
}
