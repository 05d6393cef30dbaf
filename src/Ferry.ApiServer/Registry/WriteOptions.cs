namespace Ferry.ApiServer.Registry;

/// <summary>Query options shared by create, update and patch.</summary>
/// <param name="DryRun">True for <c>dryRun=All</c>: validate and default, persist nothing.</param>
/// <param name="FieldValidation"><c>Strict</c>, <c>Warn</c> (default) or <c>Ignore</c>.</param>
/// <param name="FieldManager">The <c>fieldManager</c> query parameter, if any.</param>
/// <param name="UpdateManager">The manager a non-apply write is recorded under in <c>managedFields</c>: <paramref name="FieldManager"/>,
/// else the User-Agent's prefix (upstream's <c>managerOrUserAgent</c>); empty: not recorded.</param>
internal sealed record WriteOptions(bool DryRun, string FieldValidation, string? FieldManager, string UpdateManager = "")
{
    public static WriteOptions Default { get; } = new(false, "Warn", null);
}
