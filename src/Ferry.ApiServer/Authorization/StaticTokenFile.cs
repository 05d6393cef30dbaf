using System.Text;

namespace Ferry.ApiServer.Authorization;

/// <summary>
/// kube-apiserver's <c>--token-auth-file</c>: a CSV file of <c>token,user,uid,"group1,group2"</c> (at least three
/// columns; the quoted group column is optional). As upstream, an empty token is skipped, a repeated token keeps the
/// last line, and every user is also in <c>system:authenticated</c>.
/// </summary>
internal static class StaticTokenFile
{
    /// <summary>Reads the file; <see cref="FormatException"/> names the line of the first problem.</summary>
    public static Dictionary<string, UserIdentity> Load(string path) => Parse(File.ReadAllLines(path), path);

    /// <summary>Parses the lines of a token file (<paramref name="source"/> names it in errors).</summary>
    public static Dictionary<string, UserIdentity> Parse(IReadOnlyList<string> lines, string source)
    {
        var tokens = new Dictionary<string, UserIdentity>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var record = SplitRecord(lines[i]) ?? throw new FormatException($"token file '{source}' line {i + 1}: unterminated quoted field");
            if (record.Count < 3)
            {
                throw new FormatException($"token file '{source}' must have at least 3 columns (token, user name, user uid), found {record.Count} on line {i + 1}");
            }

            if (record[0].Length == 0)
            {
                continue;
            }

            var groups = record.Count >= 4 ? record[3].Split(',').ToList() : [];
            if (!groups.Contains(UserIdentity.Authenticated))
            {
                groups.Add(UserIdentity.Authenticated);
            }

            tokens[record[0]] = new UserIdentity(record[1], record[2], groups);
        }

        return tokens;
    }

    /// <summary>One CSV record as Go's <c>encoding/csv</c> reads it (quotes, doubled quotes); null when a quote is left open.</summary>
    private static List<string>? SplitRecord(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            return null;
        }

        fields.Add(field.ToString());
        return fields;
    }
}
