using System.Text.RegularExpressions;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>Bracket forms: index, slice, union, <c>['key']</c> and filters.</summary>
internal sealed partial class ColumnPathParser
{
    [GeneratedRegex("^'([^']*)'$")]
    private static partial Regex DictKey();

    [GeneratedRegex("^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$")]
    private static partial Regex SliceOperator();

    [GeneratedRegex("^([^!<>=]+)([!<>=]+)(.+?)$")]
    private static partial Regex Comparison();

    private void ParseArray(ListNode cur)
    {
        while (true)
        {
            var r = Next();
            if (r is Eof or '\n')
            {
                throw new FormatException("unterminated array");
            }

            if (r == ']')
            {
                break;
            }
        }

        var text = ConsumeText();
        text = text[1..^1];
        if (text == "*")
        {
            text = ":";
        }

        var alternatives = text.Split(',');
        if (alternatives.Length > 1)
        {
            var lists = new List<ListNode>();
            foreach (var alternative in alternatives)
            {
                lists.Add(ParseAction("[" + alternative.Trim(' ') + "]"));
            }

            cur.Nodes.Add(new UnionNode(lists));
            return;
        }

        // ['a.b'] is parsed as .a.b, dots included, as upstream does.
        var key = DictKey().Match(text);
        if (key.Success)
        {
            cur.Nodes.AddRange(ParseAction("." + key.Groups[1].Value).Nodes);
            return;
        }

        var slice = SliceOperator().Match(text);
        if (!slice.Success)
        {
            throw new FormatException("invalid array index " + text);
        }

        var bounds = new SliceBound[3];
        for (var i = 0; i < 3; i++)
        {
            var value = slice.Groups[i + 1].Value;
            if (value.Length > 0)
            {
                if (i > 0)
                {
                    value = value[1..];
                }

                if (i > 0 && value.Length == 0)
                {
                    bounds[i] = new SliceBound(0, Known: false, Derived: false);
                }
                else if (GoNumbers.TryParseInt(value, out var parsed))
                {
                    bounds[i] = new SliceBound(parsed, Known: true, Derived: false);
                }
                else
                {
                    throw new FormatException("array index " + value + " is not a number");
                }
            }
            else if (i == 1)
            {
                bounds[i] = new SliceBound(bounds[0].Value + 1, Known: true, Derived: true);
            }
            else
            {
                bounds[i] = new SliceBound(0, Known: false, Derived: false);
            }
        }

        cur.Nodes.Add(new ArrayNode(bounds[0], bounds[1], bounds[2]));
    }

    private void ParseFilter(ListNode cur)
    {
        _pos += 3;
        ConsumeText();
        var begin = false;
        var end = false;
        var pair = 0;
        while (true)
        {
            var r = Next();
            if (r is Eof or '\n')
            {
                throw new FormatException("unterminated filter");
            }

            if (r is '"' or '\'')
            {
                if (!begin)
                {
                    begin = true;
                    pair = r;
                    continue;
                }

                if (_input[_pos - 2] != '\\' && r == pair)
                {
                    end = true;
                }
            }
            else if (r == ')' && begin == end)
            {
                break;
            }
        }

        if (Next() != ']')
        {
            throw new FormatException("unclosed array expect ]");
        }

        var text = ConsumeText();
        text = text[..^2];
        var comparison = Comparison().Match(text);
        if (!comparison.Success)
        {
            cur.Nodes.Add(new FilterNode(ParseAction(text), new ListNode([]), "exists"));
        }
        else
        {
            var left = ParseAction(comparison.Groups[1].Value);
            var right = ParseAction(comparison.Groups[3].Value);
            cur.Nodes.Add(new FilterNode(left, right, comparison.Groups[2].Value));
        }
    }
}
