using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// The jsonPath of a printer column, parsed as apiextensions-apiserver's tableconvertor does (client-go jsonpath on
/// <c>"{" + jsonPath + "}"</c>, missing keys allowed) and evaluated as client-go's <c>util/jsonpath/jsonpath.go</c>
/// evaluates it. <c>range</c>/<c>end</c> blocks are not supported: a path using them yields no value.
/// </summary>
internal sealed partial class ColumnPath
{
    private readonly ListNode _template;

    private ColumnPath(string jsonPath, ListNode template)
    {
        JsonPath = jsonPath;
        _template = template;
    }

    /// <summary>The column's jsonPath as declared.</summary>
    public string JsonPath { get; }

    /// <summary>Parses a column's jsonPath; on failure <paramref name="error"/> is client-go's parser message.</summary>
    public static bool TryParse(string jsonPath, [NotNullWhen(true)] out ColumnPath? path, [NotNullWhen(false)] out string? error)
    {
        try
        {
            path = new ColumnPath(jsonPath, ColumnPathParser.Parse("{" + jsonPath + "}"));
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            path = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Why client-go's jsonpath cannot parse this column path (e.g. <c>unterminated array</c>), or null when it can.
    /// Upstream logs this at serving time (<c>unrecognized column definition "..."</c>) and drops the column and
    /// those after it; CRD admission itself only checks <c>validateSimpleJSONPath</c>.
    /// </summary>
    public static string? ParseError(string jsonPath) => TryParse(jsonPath, out _, out var error) ? null : error;

    /// <summary>
    /// Upstream's <c>FindResults(obj)[0]</c>: the values of the path's first action, or null when evaluating any
    /// action fails (an index out of range, a filter over a non-array, a comparison of mismatched kinds...).
    /// </summary>
    public IReadOnlyList<GoValue>? FirstResults(JsonObject obj)
    {
        var root = GoValue.FromJson(obj);
        List<GoValue>? first = null;
        foreach (var node in _template.Nodes)
        {
            var (values, ok) = Walk([root], node);
            if (!ok)
            {
                return null;
            }

            first ??= values;
        }

        return first ?? [];
    }
}
