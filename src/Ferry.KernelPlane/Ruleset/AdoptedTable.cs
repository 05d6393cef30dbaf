using System.Net;
using System.Text.RegularExpressions;
using Ferry.Contracts;

namespace Ferry.KernelPlane.Ruleset;

/// <summary>
/// Reads the rules of chain <c>services</c> out of nft's text listing of <c>inet ferry</c> (<c>list table inet ferry</c>)
/// as a previous process left it, so a new one keeps them verbatim until it ensures or deletes their load balancers.
/// Each rule's comment names its load balancer and listener (<see cref="FerryTable.Comment"/>); rules without one are
/// not Ferry's and are left out. References to the old table's named counters are dropped (the new table has its own).
/// Pure.
/// </summary>
public static partial class AdoptedTable
{
    /// <summary>The adoptable rules in <paramref name="listing"/>; none when it holds no <c>services</c> chain.</summary>
    public static IReadOnlyList<AdoptedRule> Parse(string listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var rules = new List<AdoptedRule>();
        var inServices = false;
        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("chain ", StringComparison.Ordinal))
            {
                inServices = line == "chain services {";
                continue;
            }

            if (!inServices || line.Length == 0 || line == "}")
            {
                continue;
            }

            var comment = CommentPattern().Match(line);
            var target = TargetPattern().Match(line);
            if (!comment.Success || !target.Success || !IPAddress.TryParse(target.Groups[1].Value, out var address) || KeyOf(comment.Groups[1].Value) is not { } key)
            {
                continue;
            }

            var text = CounterReference().Replace(line, string.Empty);
            rules.Add(new AdoptedRule(key, address, text));
        }

        return rules;
    }

    /// <summary>The load balancer in a comment <c>namespace/name/port/PROTO</c> (or <c>name/port/PROTO</c> for a standalone one).</summary>
    public static LoadBalancerKey? KeyOf(string comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        var parts = comment.Split('/');
        return parts.Length switch
        {
            3 => LoadBalancerKey.Standalone(parts[0]),
            4 => new LoadBalancerKey(parts[0], parts[1]),
            _ => null,
        };
    }

    [GeneratedRegex("""comment "([^"]+)"$""")]
    private static partial Regex CommentPattern();

    [GeneratedRegex("""^ip6? daddr ([0-9a-fA-F:.]+) """)]
    private static partial Regex TargetPattern();

    [GeneratedRegex("""counter name "[^"]+" """)]
    private static partial Regex CounterReference();
}
