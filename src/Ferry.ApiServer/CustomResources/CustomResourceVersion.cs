using Ferry.ApiServer.CustomResources.Printing;
using Ferry.ApiServer.CustomResources.Schema;

namespace Ferry.ApiServer.CustomResources;

/// <summary>What a served version of a custom resource carries besides its names (see <see cref="Resources.ResourceType.Custom"/>).</summary>
/// <param name="DefinitionName">The CustomResourceDefinition's name (<c>plural.group</c>).</param>
/// <param name="StorageVersion">The version objects are stored in; every other version is the same object with its own apiVersion (no conversion).</param>
/// <param name="Schema">The version's structural schema: validation, defaulting and pruning.</param>
/// <param name="PrinterColumns">The version's <c>additionalPrinterColumns</c> (or upstream's default AGE column).</param>
/// <param name="Terminating">The definition is being deleted: its objects are being deleted and no new one may be created.</param>
internal sealed record CustomResourceVersion(
    string DefinitionName,
    string StorageVersion,
    StructuralSchema Schema,
    IReadOnlyList<PrinterColumn> PrinterColumns,
    bool Terminating);
