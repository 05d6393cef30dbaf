using System.Globalization;
using Ferry.ApiServer.Errors;

namespace Ferry.ApiServer.Registry;

/// <summary>The one reader and writer of resourceVersion texts (a decimal, non-negative counter).</summary>
internal static class ResourceVersions
{
    /// <summary>Parses a resourceVersion query value (400 BadRequest on anything but digits).</summary>
    public static long Parse(string rv) =>
        long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw ApiErrors.BadRequest("invalid resource version \"" + rv + "\"");

    /// <summary>Whether a resourceVersion query value means "any version" (unset or <c>0</c>).</summary>
    public static bool IsAny(string rv) => rv.Length == 0 || rv == "0";

    /// <summary>Formats a version as it appears in objects and lists.</summary>
    public static string Format(long rv) => rv.ToString(CultureInfo.InvariantCulture);
}
