namespace Ferry.Announcement.Native;

/// <summary>Readable names for the errno values the announcer meets.</summary>
internal static class Errors
{
    public static string Describe(int errno) => errno switch
    {
        1 => "EPERM (operation not permitted)",
        13 => "EACCES (permission denied)",
        17 => "EEXIST (already exists)",
        19 => "ENODEV (no such device)",
        22 => "EINVAL (invalid argument)",
        95 => "EOPNOTSUPP (not supported by this kernel)",
        99 => "EADDRNOTAVAIL (address not available)",
        _ => $"errno {errno}",
    };
}
