using System.Globalization;
using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>A parsed JSON pointer (RFC 6901): <c>/a/b~1c/0</c> → <c>["a", "b/c", "0"]</c>. Immutable.</summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, IReadOnlyList<string> tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public string Text { get; }

    public IReadOnlyList<string> Tokens { get; }

    public bool IsRoot => Tokens.Count == 0;

    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }

        if (text[0] != '/')
        {
            throw new PatchException($"invalid JSON pointer \"{text}\": it must be empty or start with '/'");
        }

        var tokens = new List<string>();
        foreach (var raw in text[1..].Split('/'))
        {
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '~' && (i + 1 >= raw.Length || (raw[i + 1] != '0' && raw[i + 1] != '1')))
                {
                    throw new PatchException($"invalid JSON pointer \"{text}\": '~' must be followed by '0' or '1'");
                }
            }

            tokens.Add(raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return new JsonPointer(text, tokens);
    }

    /// <summary>True when this pointer is <paramref name="other"/> or lies inside it.</summary>
    public bool IsWithin(JsonPointer other)
    {
        if (other.Tokens.Count > Tokens.Count)
        {
            return false;
        }

        for (var i = 0; i < other.Tokens.Count; i++)
        {
            if (Tokens[i] != other.Tokens[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses an array index token; <c>-</c> is handled by callers. Leading zeros are not allowed.</summary>
    public static bool TryParseIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var ch in token)
        {
            if (ch is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>Resolves the pointer; returns false when any step is missing.</summary>
    public bool TryGet(JsonNode? root, out JsonNode? value)
    {
        value = root;
        foreach (var token in Tokens)
        {
            switch (value)
            {
                case JsonObject obj when obj.TryGetPropertyValue(token, out var child):
                    value = child;
                    break;
                case JsonArray array when TryParseIndex(token, out var index) && index < array.Count:
                    value = array[index];
                    break;
                default:
                    value = null;
                    return false;
            }
        }

        return true;
    }

    public override string ToString() => Text;
}
