namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// The evaluation steps of client-go's <c>util/jsonpath/jsonpath.go</c> with missing keys allowed. Each step returns
/// what upstream returns, also on failure (where it matters: an <c>exists</c> filter only asks for any value).
/// </summary>
internal sealed partial class ColumnPath
{
    private static (List<GoValue> Values, bool Ok) Walk(List<GoValue> input, PathNode node) => node switch
    {
        ListNode list => EvalList(input, list),
        TextNode text => ([GoValue.String(text.Text)], true),
        FieldNode field => (EvalField(input, field.Name), true),
        ArrayNode array => EvalArray(input, array),
        FilterNode filter => EvalFilter(input, filter),
        IntNode i => (input.ConvertAll(_ => GoValue.Int(i.Value)), true),
        FloatNode f => (input.ConvertAll(_ => GoValue.Float(f.Value)), true),
        BoolNode b => (input.ConvertAll(_ => GoValue.Bool(b.Value)), true),
        WildcardNode => (EvalWildcard(input), true),
        RecursiveNode => (EvalRecursive(input), true),
        UnionNode union => EvalUnion(input, union),
        IdentifierNode { Name: "end" } => ([], false),
        _ => (input, false),
    };

    private static (List<GoValue> Values, bool Ok) EvalList(List<GoValue> input, ListNode list)
    {
        var current = input;
        foreach (var node in list.Nodes)
        {
            var (values, ok) = Walk(current, node);
            if (!ok)
            {
                return (values, false);
            }

            current = values;
        }

        return (current, true);
    }

    private static List<GoValue> EvalField(List<GoValue> input, string name)
    {
        var results = new List<GoValue>();
        foreach (var value in input)
        {
            if (value.Map is { } map && map.TryGetPropertyValue(name, out var child))
            {
                results.Add(GoValue.FromJson(child));
            }
        }

        return results;
    }

    private static (List<GoValue> Values, bool Ok) EvalArray(List<GoValue> input, ArrayNode node)
    {
        var result = new List<GoValue>();
        foreach (var value in input)
        {
            if (value.Kind == GoKind.Nil)
            {
                continue;
            }

            if (value.Slice is not { } slice)
            {
                return (input, false);
            }

            long length = slice.Count;
            var start = node.Start.Known ? node.Start.Value : 0;
            if (start < 0)
            {
                start += length;
            }

            var end = node.End.Known ? node.End.Value : length;
            if (end < 0 || (end == 0 && node.End.Derived))
            {
                end += length;
            }

            if (end == start)
            {
                // Asking for no element returns what was found so far, skipping the remaining inputs (as upstream).
                return (result, true);
            }

            if (start >= length || start < 0 || end > length || end < 0 || start > end)
            {
                return (input, false);
            }

            var step = 1L;
            if (node.Step.Known)
            {
                if (node.Step.Value <= 0)
                {
                    return (input, false);
                }

                step = node.Step.Value;
            }

            for (var i = start; i < end; i += step)
            {
                result.Add(GoValue.FromJson(slice[(int)i]));
            }
        }

        return (result, true);
    }

    private static (List<GoValue> Values, bool Ok) EvalUnion(List<GoValue> input, UnionNode union)
    {
        var result = new List<GoValue>();
        foreach (var alternative in union.Alternatives)
        {
            var (values, ok) = EvalList(input, alternative);
            if (!ok)
            {
                return (input, false);
            }

            result.AddRange(values);
        }

        return (result, true);
    }

    private static List<GoValue> EvalWildcard(List<GoValue> input)
    {
        var results = new List<GoValue>();
        foreach (var value in input)
        {
            results.AddRange(value.Children());
        }

        return results;
    }

    /// <summary>Each value that has elements, followed by the same for its elements, depth first.</summary>
    private static List<GoValue> EvalRecursive(List<GoValue> input)
    {
        var result = new List<GoValue>();
        foreach (var value in input)
        {
            var children = value.Children().ToList();
            if (children.Count != 0)
            {
                result.Add(value);
                result.AddRange(EvalRecursive(children));
            }
        }

        return result;
    }

    private static (List<GoValue> Values, bool Ok) EvalFilter(List<GoValue> input, FilterNode node)
    {
        var results = new List<GoValue>();
        foreach (var value in input)
        {
            if (value.Slice is not { } slice)
            {
                return (input, false);
            }

            foreach (var item in slice)
            {
                var element = GoValue.FromJson(item);
                var (lefts, leftOk) = EvalList([element], node.Left);
                if (node.Operator == "exists")
                {
                    if (lefts.Count > 0)
                    {
                        results.Add(element);
                    }

                    continue;
                }

                if (!leftOk || lefts.Count > 1)
                {
                    return (input, false);
                }

                if (lefts.Count == 0)
                {
                    continue;
                }

                var (rights, rightOk) = EvalList([element], node.Right);
                if (!rightOk || rights.Count > 1)
                {
                    return (input, false);
                }

                if (rights.Count == 0)
                {
                    continue;
                }

                switch (GoComparison.Compare(node.Operator, lefts[0], rights[0]))
                {
                    case null:
                        return (results, false);
                    case true:
                        results.Add(element);
                        break;
                }
            }
        }

        return (results, true);
    }
}
