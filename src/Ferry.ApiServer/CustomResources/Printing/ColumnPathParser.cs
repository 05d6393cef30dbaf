using System.Text;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// A port of client-go's <c>util/jsonpath/parser.go</c>: same grammar, same quirks (<c>['a.b']</c> is <c>.a.b</c>)
/// and the same error messages. Loops replace upstream's tail recursion so a long path cannot exhaust the stack.
/// Failures throw <see cref="FormatException"/> carrying upstream's message.
/// </summary>
internal sealed partial class ColumnPathParser
{
    private const int Eof = -1;

    private readonly string _input;
    private readonly ListNode _root = new([]);
    private int _pos;
    private int _start;
    private int _width;

    private ColumnPathParser(string input) => _input = input;

    /// <summary>Parses a template (text with <c>{actions}</c>) into its top-level nodes: texts and lists.</summary>
    public static ListNode Parse(string text)
    {
        var parser = new ColumnPathParser(text);
        parser.ParseText();
        return parser._root;
    }

    /// <summary>Upstream <c>parseAction</c>: the single list of <c>{text}</c>.</summary>
    private static ListNode ParseAction(string text) => (ListNode)Parse("{" + text + "}").Nodes[0];

    private void ParseText()
    {
        while (true)
        {
            if (_input.AsSpan(_pos).StartsWith("{", StringComparison.Ordinal))
            {
                if (_pos > _start)
                {
                    _root.Nodes.Add(new TextNode(ConsumeText()));
                }

                _pos++;
                ConsumeText();
                var list = new ListNode([]);
                _root.Nodes.Add(list);
                ParseInsideAction(list);
                continue;
            }

            if (Next() == Eof)
            {
                break;
            }
        }

        if (_pos > _start)
        {
            _root.Nodes.Add(new TextNode(ConsumeText()));
        }
    }

    /// <summary>Parses the inside of one action up to and including its closing brace.</summary>
    private void ParseInsideAction(ListNode cur)
    {
        while (true)
        {
            var rest = _input.AsSpan(_pos);
            if (rest.StartsWith("}", StringComparison.Ordinal))
            {
                _pos++;
                ConsumeText();
                return;
            }

            if (rest.StartsWith("[?(", StringComparison.Ordinal))
            {
                ParseFilter(cur);
                continue;
            }

            if (rest.StartsWith("..", StringComparison.Ordinal))
            {
                ParseRecursive(cur);
                continue;
            }

            var r = Next();
            switch (r)
            {
                case Eof or '\r' or '\n':
                    throw new FormatException("unclosed action");
                case ' ' or '@' or '$':
                    ConsumeText();
                    break;
                case '[':
                    ParseArray(cur);
                    break;
                case '"' or '\'':
                    ParseQuote(cur, r);
                    break;
                case '.':
                    ParseField(cur);
                    break;
                default:
                    if (r is '+' or '-' || IsDigit(r))
                    {
                        Backup();
                        ParseNumber(cur);
                    }
                    else if (IsAlphaNumeric(r))
                    {
                        Backup();
                        ParseIdentifier(cur);
                    }
                    else
                    {
                        throw new FormatException("unrecognized character in action: " + GoRuneText.Quoted(r));
                    }

                    break;
            }
        }
    }

    private void ParseIdentifier(ListNode cur)
    {
        while (!IsTerminator(Next()))
        {
        }

        Backup();
        var value = ConsumeText();
        cur.Nodes.Add(value switch
        {
            "true" => new BoolNode(true),
            "false" => new BoolNode(false),
            _ => new IdentifierNode(value),
        });
    }

    private void ParseRecursive(ListNode cur)
    {
        if (cur.Nodes.Count > 0 && cur.Nodes[^1] is RecursiveNode)
        {
            throw new FormatException("invalid multiple recursive descent");
        }

        _pos += 2;
        ConsumeText();
        cur.Nodes.Add(new RecursiveNode());
        if (IsAlphaNumeric(Peek()))
        {
            ParseField(cur);
        }
    }

    private void ParseNumber(ListNode cur)
    {
        if (Peek() is '+' or '-')
        {
            Next();
        }

        int r;
        do
        {
            r = Next();
        }
        while (r == '.' || IsDigit(r));

        Backup();
        var value = ConsumeText();
        if (GoNumbers.TryParseInt(value, out var i))
        {
            cur.Nodes.Add(new IntNode(i));
        }
        else if (GoNumbers.TryParseFloat(value, out var d))
        {
            cur.Nodes.Add(new FloatNode(d));
        }
        else
        {
            throw new FormatException("cannot parse number " + value);
        }
    }

    private void ParseQuote(ListNode cur, int end)
    {
        while (true)
        {
            var r = Next();
            if (r is Eof or '\n')
            {
                throw new FormatException("unterminated quoted string");
            }

            if (r == end && _input[_pos - 2] != '\\')
            {
                break;
            }
        }

        var value = ConsumeText();
        var text = GoUnquote.Unquote(value) ?? throw new FormatException("unquote string " + value + " error invalid syntax");
        cur.Nodes.Add(new TextNode(text));
    }

    private void ParseField(ListNode cur)
    {
        ConsumeText();
        while (Advance())
        {
        }

        var value = ConsumeText();
        cur.Nodes.Add(value == "*" ? new WildcardNode() : new FieldNode(value.Replace("\\", string.Empty, StringComparison.Ordinal)));
    }

    /// <summary>Scans one rune of a field name; false at an unescaped terminator.</summary>
    private bool Advance()
    {
        var r = Next();
        if (r == '\\')
        {
            Next();
        }
        else if (IsTerminator(r))
        {
            Backup();
            return false;
        }

        return true;
    }

    private string ConsumeText()
    {
        var value = _input[_start.._pos];
        _start = _pos;
        return value;
    }

    private int Next()
    {
        if (_pos >= _input.Length)
        {
            _width = 0;
            return Eof;
        }

        Rune.DecodeFromUtf16(_input.AsSpan(_pos), out var rune, out var width);
        _width = width;
        _pos += width;
        return rune.Value;
    }

    private int Peek()
    {
        var r = Next();
        Backup();
        return r;
    }

    private void Backup() => _pos -= _width;

    private static bool IsTerminator(int r) =>
        r is Eof or ' ' or '\t' or '\r' or '\n' or '.' or ',' or '[' or ']' or '$' or '@' or '{' or '}';

    private static bool IsDigit(int r) => r >= 0 && Rune.IsDigit(new Rune(r));

    private static bool IsAlphaNumeric(int r) => r == '_' || (r >= 0 && Rune.IsLetterOrDigit(new Rune(r)));
}
