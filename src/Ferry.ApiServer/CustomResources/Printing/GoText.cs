using System.Globalization;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// How jsonpath's <c>PrintResults</c> prints one value in a string column: maps and arrays as Go's
/// <c>json.Marshal</c> writes them (sorted keys, HTML-escaped), anything else as <c>fmt.Fprint</c> does.
/// </summary>
internal static class GoText
{
    /// <summary>The text of a value, e.g. <c>["a","b"]</c>, <c>42</c>, <c>1e+06</c>, <c>&lt;no value&gt;</c> for JSON null.</summary>
    public static string Print(GoValue value) => value.Kind switch
    {
        GoKind.Map or GoKind.Slice => Schema.GoJsonValues.Marshal(value.Node),
        GoKind.Nil => "<no value>",
        GoKind.String => value.Text,
        GoKind.Bool => value.Flag ? "true" : "false",
        GoKind.Float64 => Schema.GoJsonValues.FormatFloatV(value.Number),
        _ => value.Integer.ToString(CultureInfo.InvariantCulture),
    };
}
