using System.Globalization;
using System.Net;

namespace Ferry.EndToEnd.Tests;

/// <summary>Random loopback /24 prefixes, one per purpose per test, so parallel tests never share addresses.</summary>
internal static class Addresses
{
    /// <summary>A random prefix like <c>127.45.7.</c>, different from every prefix in <paramref name="taken"/>.</summary>
    public static string RandomPrefix(params string[] taken)
    {
        while (true)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.");
            if (!taken.Contains(prefix))
            {
                return prefix;
            }
        }
    }

    public static IPAddress In(string prefix, int last) => IPAddress.Parse(prefix + last.ToString(CultureInfo.InvariantCulture));
}
