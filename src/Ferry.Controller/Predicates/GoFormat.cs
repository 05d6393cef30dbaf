using System.Globalization;

namespace Ferry.Controller.Predicates;

/// <summary>
/// Go's <c>%v</c> for the values upstream's change Events print (docs/upstream-semantics.md): a slice as
/// <c>[a b]</c> (an unset one as <c>[]</c>), an unset int32 as <c>0</c>.
/// </summary>
internal static class GoFormat
{
    public static string List(IEnumerable<string>? values) => "[" + string.Join(' ', values ?? []) + "]";

    public static string Int(int? value) => (value ?? 0).ToString(CultureInfo.InvariantCulture);
}
