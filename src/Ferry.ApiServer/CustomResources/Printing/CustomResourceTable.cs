using System.Text.Json.Nodes;
using Ferry.ApiServer.Objects;
using Ferry.ApiServer.Tables;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// Server-side printing of custom resources (meta.k8s.io/v1 Table), after apiextensions-apiserver's
/// <c>pkg/registry/customresource/tableconvertor/tableconvertor.go</c>: a Name column, then the CRD's columns.
/// </summary>
internal static class CustomResourceTable
{
    /// <summary>
    /// Builds the Table of <paramref name="objects"/>. A column whose jsonPath does not parse ends the columns there,
    /// as upstream's convertor does. <paramref name="includeObject"/> is None, Metadata (default) or Object.
    /// </summary>
    public static JsonObject Build(IReadOnlyList<PrinterColumn> columns, IEnumerable<JsonObject> objects, string? resourceVersion, DateTimeOffset now, string includeObject, bool withHeaders)
    {
        var served = new List<(PrinterColumn Column, ColumnPath Path)>();
        foreach (var column in columns)
        {
            if (!ColumnPath.TryParse(column.JsonPath, out var path, out _))
            {
                break;
            }

            served.Add((column, path));
        }

        var meta = new JsonObject();
        if (resourceVersion is not null)
        {
            meta["resourceVersion"] = resourceVersion;
        }

        var table = new JsonObject { ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = meta };
        if (withHeaders)
        {
            var definitions = new JsonArray { Definition("Name", "string", "name", TableBuilder.NameDescription, 0) };
            foreach (var (column, _) in served)
            {
                var description = column.Description.Length > 0
                    ? column.Description
                    : "Custom resource definition column (in JSONPath format): " + column.JsonPath;
                definitions.Add(Definition(column.Name, column.Type, column.Format, description, column.Priority));
            }

            table["columnDefinitions"] = definitions;
        }

        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var cells = new JsonArray { JsonRead.Str(o["metadata"]?["name"]) };
            foreach (var (column, path) in served)
            {
                cells.Add(Cell(column.Type, path.FirstResults(o), now));
            }

            var row = new JsonObject { ["cells"] = cells };
            TableBuilder.AttachObject(row, o, includeObject);
            rows.Add(row);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonObject Definition(string name, string type, string format, string description, int priority) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["format"] = format,
        ["description"] = description,
        ["priority"] = priority,
    };

    /// <summary>
    /// The first value found, typed by the column: string columns print any value (JSON for arrays and maps), the
    /// other types take only a matching value (upstream's <c>cellForJSONValue</c>); no value is a null cell.
    /// </summary>
    private static JsonNode? Cell(string type, IReadOnlyList<GoValue>? results, DateTimeOffset now)
    {
        if (results is not [var value, ..])
        {
            return null;
        }

        if (type == "string")
        {
            return GoText.Print(value);
        }

        return (type, value.Kind) switch
        {
            ("integer", GoKind.Int64) => value.Integer,
            ("integer", GoKind.Float64) => GoInt64(value.Number),
            ("number", GoKind.Int64) => (double)value.Integer,
            ("number", GoKind.Float64) => value.Number,
            ("boolean", GoKind.Bool) => value.Flag,
            ("date", GoKind.String) => Rfc3339Age.Format(value.Text, now),
            _ => null,
        };
    }

    /// <summary>Go's float64 to int64 conversion: truncation, and the "integer indefinite" value out of range.</summary>
    private static long GoInt64(double f) => f is >= -9.2233720368547758E18 and < 9.2233720368547758E18 ? (long)f : long.MinValue;
}
