using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Authorization;

/// <summary>
/// Reads kube-apiserver's ABAC policy file (<c>--authorization-policy-file</c>): one JSON object per line,
/// <c>{"apiVersion":"abac.authorization.kubernetes.io/v1beta1","kind":"Policy","spec":{…}}</c>; blank lines and lines
/// starting with <c>#</c> are skipped. Only the versioned format is read (the unversioned one is long deprecated).
/// </summary>
internal static class AccessPolicyFile
{
    private const string ApiVersion = "abac.authorization.kubernetes.io/v1beta1";
    private static readonly HashSet<string> _specFields = ["user", "group", "readonly", "apiGroup", "resource", "namespace", "nonResourcePath"];

    /// <summary>Reads the file; <see cref="FormatException"/> names the line of the first problem.</summary>
    public static List<AccessPolicy> Load(string path) => Parse(File.ReadAllLines(path), path);

    /// <summary>Parses the lines of a policy file (<paramref name="source"/> names it in errors).</summary>
    public static List<AccessPolicy> Parse(IReadOnlyList<string> lines, string source)
    {
        var policies = new List<AccessPolicy>();
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            try
            {
                policies.Add(ParseLine(trimmed));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
            {
                throw new FormatException($"error reading policy file {source}, line {i + 1}: {trimmed}: {ex.Message}", ex);
            }
        }

        return policies;
    }

    private static AccessPolicy ParseLine(string line)
    {
        if (JsonNode.Parse(line) is not JsonObject obj)
        {
            throw new FormatException("a policy must be a JSON object");
        }

        if (Text(obj, "apiVersion") != ApiVersion || Text(obj, "kind") != "Policy")
        {
            throw new FormatException($"expected \"apiVersion\":\"{ApiVersion}\",\"kind\":\"Policy\"");
        }

        if (obj["spec"] is not JsonObject spec)
        {
            throw new FormatException("spec: required");
        }

        if (spec.Select(p => p.Key).FirstOrDefault(k => !_specFields.Contains(k)) is { } unknown)
        {
            throw new FormatException($"unknown field \"spec.{unknown}\"");
        }

        var readOnly = spec["readonly"] switch
        {
            null => false,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw new FormatException("spec.readonly: must be a boolean"),
        };
        return new AccessPolicy(
            Text(spec, "user"), Text(spec, "group"), readOnly, Text(spec, "apiGroup"), Text(spec, "resource"), Text(spec, "namespace"), Text(spec, "nonResourcePath"));
    }

    private static string Text(JsonObject obj, string key) => obj[key] switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException(key + ": must be a string"),
    };
}
