namespace Ferry.Lab.Tests;

/// <summary>Skips a test, with the reason, when the lab or a tool it uses cannot run here.</summary>
internal static class LabRequirement
{
    public static void Lab()
    {
        var reason = NetnsLab.SkipReason();
        Assert.SkipWhen(reason is not null, reason ?? string.Empty);
    }

    public static void Tool(bool installed, string reason)
    {
        Lab();
        Assert.SkipUnless(installed, reason);
    }
}
