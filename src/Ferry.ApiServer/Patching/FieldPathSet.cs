using System.Text.Json.Nodes;

namespace Ferry.ApiServer.Patching;

/// <summary>
/// A set of member paths in FieldsV1 tokens (<c>f:spec</c>, <c>k:{"port":80,"protocol":"TCP"}</c>, <c>v:"a"</c>), the
/// form structured-merge-diff computes with. A member that also has members below it is written with FieldsV1's
/// <c>"."</c>; a member without any is an empty object.
/// </summary>
internal sealed class FieldPathSet
{
    private const char Separator = '\u0001';
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);

    /// <summary>How many member paths there are.</summary>
    public int Count => _members.Count;

    /// <summary>The members of a FieldsV1 object (a leaf, or the <c>"."</c> of a container, is a member).</summary>
    public static FieldPathSet FromFieldsV1(JsonObject fields)
    {
        var set = new FieldPathSet();
        foreach (var leaf in ManagedFieldSet.Leaves(fields))
        {
            var path = leaf[^1] == "." ? leaf[..^1] : leaf;
            if (path.Length > 0)
            {
                set._members.Add(string.Join(Separator, path));
            }
        }

        return set;
    }

    /// <summary>Adds one member path.</summary>
    public void Add(IReadOnlyList<string> tokens) => _members.Add(string.Join(Separator, tokens));

    /// <summary>Adds every member of <paramref name="other"/>.</summary>
    public void UnionWith(FieldPathSet other) => _members.UnionWith(other._members);

    /// <summary>Removes every member of <paramref name="other"/>.</summary>
    public void ExceptWith(FieldPathSet other) => _members.ExceptWith(other._members);

    /// <summary>The set as a FieldsV1 object.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var member in _members.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var token in member.Split(Separator))
            {
                if (node[token] is not JsonObject child)
                {
                    child = [];
                    node[token] = child;
                }

                node = child;
            }
        }

        MarkContainers(root, []);
        return root;
    }

    /// <summary>Adds <c>"."</c> to every member that has members below it.</summary>
    private void MarkContainers(JsonObject node, List<string> prefix)
    {
        foreach (var (token, child) in node.ToList())
        {
            if (token == "." || child is not JsonObject { Count: > 0 } container)
            {
                continue;
            }

            prefix.Add(token);
            if (_members.Contains(string.Join(Separator, prefix)))
            {
                // "." comes first, as upstream serializes it.
                var children = container.ToList();
                container.Clear();
                container["."] = new JsonObject();
                foreach (var (k, v) in children)
                {
                    container[k] = v;
                }
            }

            MarkContainers(container, prefix);
            prefix.RemoveAt(prefix.Count - 1);
        }
    }
}
