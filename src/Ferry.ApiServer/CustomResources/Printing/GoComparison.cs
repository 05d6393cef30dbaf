namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// The comparisons of jsonpath filters, after client-go's <c>third_party/forked/golang/template/funcs.go</c>:
/// both sides must be of one basic kind (signed and unsigned integers mix); anything else is an error.
/// </summary>
internal static class GoComparison
{
    private enum BasicKind
    {
        Bool,
        Int,
        Uint,
        Float,
        String,
    }

    /// <summary>Applies <paramref name="op"/>; null when upstream reports an error (which empties the whole cell).</summary>
    public static bool? Compare(string op, GoValue left, GoValue right) => op switch
    {
        "<" => Less(left, right),
        ">" => LessEqual(left, right) is { } le ? !le : null,
        "==" => Equal(left, right),
        "!=" => Equal(left, right) is { } eq ? !eq : null,
        "<=" => LessEqual(left, right),
        ">=" => Less(left, right) is { } lt ? !lt : null,
        _ => null,
    };

    private static BasicKind? Basic(GoValue v) => v.Kind switch
    {
        GoKind.Bool => BasicKind.Bool,
        GoKind.Int64 or GoKind.Int => BasicKind.Int,
        GoKind.Uint8 => BasicKind.Uint,
        GoKind.Float64 => BasicKind.Float,
        GoKind.String => BasicKind.String,
        _ => null,
    };

    private static bool? Equal(GoValue a, GoValue b)
    {
        if (Basic(a) is not { } k1 || Basic(b) is not { } k2)
        {
            return null;
        }

        if (k1 != k2)
        {
            // Integers compare across signedness; the unsigned side is a byte here, so it fits a long.
            return (k1, k2) is (BasicKind.Int, BasicKind.Uint) or (BasicKind.Uint, BasicKind.Int) ? a.Integer == b.Integer : null;
        }

        return k1 switch
        {
            BasicKind.Bool => a.Flag == b.Flag,
            BasicKind.Float => a.Number == b.Number,
            BasicKind.String => a.Text == b.Text,
            _ => a.Integer == b.Integer,
        };
    }

    private static bool? Less(GoValue a, GoValue b)
    {
        if (Basic(a) is not { } k1 || Basic(b) is not { } k2)
        {
            return null;
        }

        if (k1 != k2)
        {
            return (k1, k2) is (BasicKind.Int, BasicKind.Uint) or (BasicKind.Uint, BasicKind.Int) ? a.Integer < b.Integer : null;
        }

        return k1 switch
        {
            BasicKind.Bool => null,
            BasicKind.Float => a.Number < b.Number,
            BasicKind.String => Utf8Compare(a.Text, b.Text) < 0,
            _ => a.Integer < b.Integer,
        };
    }

    private static bool? LessEqual(GoValue a, GoValue b)
    {
        var less = Less(a, b);
        return less is null or true ? less : Equal(a, b);
    }

    /// <summary>Go compares strings by their UTF-8 bytes.</summary>
    private static int Utf8Compare(string a, string b) =>
        System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b));
}
