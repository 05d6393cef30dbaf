using System.Globalization;
using Ferry.ApiServer.Admission;

namespace Ferry.ApiServer.Selectors;

/// <summary>
/// Recursive-descent parser for label selectors, following apimachinery <c>labels/selector.go</c> token by token
/// so that accepted inputs and error texts match kube-apiserver. One instance parses one string; not thread-safe.
/// </summary>
internal sealed class LabelSelectorParser(string text)
{
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly string _text = text;
    private readonly List<(Token Token, string Literal)> _items = [];
    private int _pos;
    private int _position;

    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        EqualsSign,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    public List<LabelRequirement> Parse()
    {
        Scan();
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(Context.Values);
            switch (token)
            {
                case Token.Identifier:
                case Token.DoesNotExist:
                    LabelRequirement requirement;
                    try
                    {
                        requirement = ParseRequirement();
                    }
                    catch (SelectorParseException ex)
                    {
                        throw new SelectorParseException("unable to parse requirement: " + ex.Message, ex);
                    }

                    requirements.Add(requirement);
                    var (next, nextLiteral) = Consume(Context.Values);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (afterComma, afterCommaLiteral) = Lookahead(Context.Values);
                            if (afterComma is not Token.Identifier and not Token.DoesNotExist)
                            {
                                throw new SelectorParseException($"found '{afterCommaLiteral}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new SelectorParseException($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new SelectorParseException($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private static bool IsWhitespace(char ch) => ch is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecialSymbol(char ch) => ch is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private static Token? KnownToken(string literal) => literal switch
    {
        ")" => Token.ClosedPar,
        "," => Token.Comma,
        "!" => Token.DoesNotExist,
        "==" => Token.DoubleEquals,
        "=" => Token.EqualsSign,
        ">" => Token.GreaterThan,
        "in" => Token.In,
        "<" => Token.LessThan,
        "!=" => Token.NotEquals,
        "notin" => Token.NotIn,
        "(" => Token.OpenPar,
        _ => null,
    };

    private void Scan()
    {
        while (true)
        {
            var item = Lex();
            _items.Add(item);
            if (item.Token == Token.EndOfString)
            {
                return;
            }
        }
    }

    private (Token Token, string Literal) Lex()
    {
        while (_pos < _text.Length && IsWhitespace(_text[_pos]))
        {
            _pos++;
        }

        if (_pos >= _text.Length)
        {
            return (Token.EndOfString, string.Empty);
        }

        return IsSpecialSymbol(_text[_pos]) ? ScanSpecialSymbol() : ScanIdentifierOrKeyword();
    }

    private (Token Token, string Literal) ScanIdentifierOrKeyword()
    {
        var start = _pos;
        while (_pos < _text.Length && !IsSpecialSymbol(_text[_pos]) && !IsWhitespace(_text[_pos]))
        {
            _pos++;
        }

        var literal = _text[start.._pos];
        return (KnownToken(literal) ?? Token.Identifier, literal);
    }

    private (Token Token, string Literal) ScanSpecialSymbol()
    {
        var start = _pos;
        Token? last = null;
        var lastLength = 0;
        while (_pos < _text.Length && IsSpecialSymbol(_text[_pos]))
        {
            var candidate = _text[start..(_pos + 1)];
            var known = KnownToken(candidate);
            if (known is not null)
            {
                last = known;
                lastLength = candidate.Length;
                _pos++;
            }
            else if (last is not null)
            {
                break;
            }
            else
            {
                _pos++;
            }
        }

        if (last is null)
        {
            return (Token.Error, $"error expected: keyword found '{_text[start.._pos]}'");
        }

        _pos = start + lastLength;
        return (last.Value, _text.Substring(start, lastLength));
    }

    private (Token Token, string Literal) Lookahead(Context context)
    {
        var (token, literal) = _items[_position];
        return (Demote(token, context), literal);
    }

    private (Token Token, string Literal) Consume(Context context)
    {
        var (token, literal) = _items[_position];
        if (_position < _items.Count - 1)
        {
            _position++;
        }

        return (Demote(token, context), literal);
    }

    private static Token Demote(Token token, Context context) =>
        context == Context.Values && token is Token.In or Token.NotIn ? Token.Identifier : token;

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
        {
            return new LabelRequirement(key, op.Value, []);
        }

        var binary = ParseOperator();
        var values = binary is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
        var sorted = values.Order(StringComparer.Ordinal).ToArray();
        ValidateValues(key, binary, sorted);
        return new LabelRequirement(key, binary, sorted);
    }

    private (string Key, SelectorOperator? Operator) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var (token, literal) = Consume(Context.Values);
        if (token == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (token, literal) = Consume(Context.Values);
        }

        if (token != Token.Identifier)
        {
            throw new SelectorParseException($"found '{literal}', expected: identifier");
        }

        var keyErrors = NameValidation.IsQualifiedName(literal);
        if (keyErrors.Count > 0)
        {
            throw new SelectorParseException($"<nil>: Invalid value: {Quote(literal)}: {string.Join("; ", keyErrors)}");
        }

        var (next, _) = Lookahead(Context.Values);
        if (next is Token.EndOfString or Token.Comma && op != SelectorOperator.DoesNotExist)
        {
            op = SelectorOperator.Exists;
        }

        return (literal, op);
    }

    private SelectorOperator ParseOperator()
    {
        var (token, literal) = Consume(Context.KeyAndOperator);
        return token switch
        {
            Token.In => SelectorOperator.In,
            Token.EqualsSign => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => throw new SelectorParseException($"found '{literal}', expected: {BinaryOperators}"),
        };
    }

    private SortedSet<string> ParseValues()
    {
        var (token, literal) = Consume(Context.Values);
        if (token != Token.OpenPar)
        {
            throw new SelectorParseException($"found '{literal}' expected: '('");
        }

        (token, literal) = Lookahead(Context.Values);
        switch (token)
        {
            case Token.Identifier:
            case Token.Comma:
                var values = ParseIdentifierList();
                if (Consume(Context.Values).Token != Token.ClosedPar)
                {
                    throw new SelectorParseException($"found '{literal}', expected: ')'");
                }

                return values;
            case Token.ClosedPar:
                Consume(Context.Values);
                return new SortedSet<string>(StringComparer.Ordinal) { string.Empty };
            default:
                throw new SelectorParseException($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    private SortedSet<string> ParseIdentifierList()
    {
        var values = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (token, literal) = Consume(Context.Values);
            switch (token)
            {
                case Token.Identifier:
                    values.Add(literal);
                    var (next, nextLiteral) = Lookahead(Context.Values);
                    switch (next)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return values;
                        default:
                            throw new SelectorParseException($"found '{nextLiteral}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (values.Count == 0)
                    {
                        values.Add(string.Empty);
                    }

                    var (afterComma, _) = Lookahead(Context.Values);
                    if (afterComma == Token.ClosedPar)
                    {
                        values.Add(string.Empty);
                        return values;
                    }

                    if (afterComma == Token.Comma)
                    {
                        Consume(Context.Values);
                        values.Add(string.Empty);
                    }

                    break;
                default:
                    throw new SelectorParseException($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private SortedSet<string> ParseExactValue()
    {
        var (next, _) = Lookahead(Context.Values);
        if (next is Token.EndOfString or Token.Comma)
        {
            return new SortedSet<string>(StringComparer.Ordinal) { string.Empty };
        }

        var (token, literal) = Consume(Context.Values);
        if (token == Token.Identifier)
        {
            return new SortedSet<string>(StringComparer.Ordinal) { literal };
        }

        throw new SelectorParseException($"found '{literal}', expected: identifier");
    }

    private static void ValidateValues(string key, SelectorOperator op, string[] values)
    {
        var errors = new List<string>();
        if (op is SelectorOperator.GreaterThan or SelectorOperator.LessThan)
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"values[{i.ToString(CultureInfo.InvariantCulture)}]: Invalid value: {Quote(values[i])}: for 'Gt', 'Lt' operators, the value must be an integer");
                }
            }
        }

        for (var i = 0; i < values.Length; i++)
        {
            var valueErrors = NameValidation.IsValidLabelValue(values[i]);
            if (valueErrors.Count > 0)
            {
                errors.Add($"values[{i.ToString(CultureInfo.InvariantCulture)}][{key}]: Invalid value: {Quote(values[i])}: {string.Join("; ", valueErrors)}");
            }
        }

        if (errors.Count == 1)
        {
            throw new SelectorParseException(errors[0]);
        }

        if (errors.Count > 1)
        {
            throw new SelectorParseException("[" + string.Join(", ", errors) + "]");
        }
    }

    /// <summary>Go's <c>%q</c> for the ASCII cases that reach here (quotes and backslashes escaped).</summary>
    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
