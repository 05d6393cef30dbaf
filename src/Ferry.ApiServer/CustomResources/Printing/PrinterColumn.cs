using System.Text.Json.Nodes;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Tables;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>One <c>additionalPrinterColumns</c> entry of a CRD version (apiextensions.k8s.io/v1 CustomResourceColumnDefinition).</summary>
/// <param name="Name">Column header, e.g. <c>Ready</c>.</param>
/// <param name="Type">integer, number, string, boolean or date.</param>
/// <param name="Format">Optional OpenAPI format; empty when unset.</param>
/// <param name="Description">Empty when unset (the table then describes the column by its jsonPath).</param>
/// <param name="Priority">0 shows by default; greater values only with <c>-o wide</c>.</param>
/// <param name="JsonPath">Evaluated against each object, e.g. <c>.status.replicas</c>.</param>
internal sealed record PrinterColumn(string Name, string Type, string Format, string Description, int Priority, string JsonPath)
{
    /// <summary>The column served when a version declares none (apiextensions-apiserver's <c>serveDefaultColumnsIfEmpty</c>).</summary>
    public static PrinterColumn Age { get; } = new("Age", "date", string.Empty, TableBuilder.AgeDescription, 0, ".metadata.creationTimestamp");

    /// <summary>The columns of one entry of a CRD's <c>spec.versions</c>; <see cref="Age"/> alone when it has none.</summary>
    public static IReadOnlyList<PrinterColumn> FromVersion(JsonObject crdVersion)
    {
        var columns = new List<PrinterColumn>();
        if (crdVersion["additionalPrinterColumns"] is JsonArray declared)
        {
            foreach (var entry in declared)
            {
                columns.Add(new PrinterColumn(
                    JsonRead.Str(entry?["name"]),
                    JsonRead.Str(entry?["type"]),
                    JsonRead.Str(entry?["format"]),
                    JsonRead.Str(entry?["description"]),
                    (int)JsonRead.Long(entry?["priority"]),
                    JsonRead.Str(entry?["jsonPath"])));
            }
        }

        return columns.Count > 0 ? columns : [Age];
    }
}
