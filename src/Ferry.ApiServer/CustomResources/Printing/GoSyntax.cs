using System.Globalization;
using System.Text;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>Go's <c>strconv.Atoi</c> and <c>strconv.ParseFloat</c> for the literals a column path may hold.</summary>
internal static class GoNumbers
{
    /// <summary><c>strconv.Atoi</c>: an optional sign and ASCII digits, within 64 bits.</summary>
    public static bool TryParseInt(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary><c>strconv.ParseFloat</c> for an optional sign, ASCII digits and one dot; out of range fails as upstream.</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        value = 0;
        var body = text.AsSpan(text.Length > 0 && text[0] is '+' or '-' ? 1 : 0);
        var digits = 0;
        var dots = 0;
        foreach (var c in body)
        {
            if (c is >= '0' and <= '9')
            {
                digits++;
            }
            else if (c == '.')
            {
                dots++;
            }
            else
            {
                return false;
            }
        }

        return digits > 0 && dots <= 1
            && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }
}

/// <summary>client-go jsonpath's <c>UnquoteExtend</c>: <c>strconv.Unquote</c> that also takes single-quoted strings.</summary>
internal static class GoUnquote
{
    /// <summary>The unquoted text, or null where Go reports <c>invalid syntax</c>.</summary>
    public static string? Unquote(string quoted)
    {
        var s = Encoding.UTF8.GetBytes(quoted);
        var n = s.Length;
        if (n < 2)
        {
            return null;
        }

        var quote = s[0];
        if (quote != s[n - 1] || quote is not ((byte)'"' or (byte)'\''))
        {
            return null;
        }

        var body = s.AsSpan(1, n - 2);
        if (!body.Contains((byte)'\\') && !body.Contains(quote))
        {
            return Encoding.UTF8.GetString(body);
        }

        var result = new List<byte>(body.Length);
        while (body.Length > 0)
        {
            if (!UnquoteChar(ref body, quote, result))
            {
                return null;
            }
        }

        return Encoding.UTF8.GetString([.. result]);
    }

    /// <summary><c>strconv.UnquoteChar</c>, appending the bytes of one character and advancing past it.</summary>
    private static bool UnquoteChar(ref Span<byte> s, byte quote, List<byte> output)
    {
        var c = s[0];
        if (c == quote)
        {
            return false;
        }

        if (c != '\\')
        {
            output.Add(c);
            s = s[1..];
            return true;
        }

        if (s.Length <= 1)
        {
            return false;
        }

        var escape = s[1];
        s = s[2..];
        switch (escape)
        {
            case (byte)'a': output.Add(7); return true;
            case (byte)'b': output.Add(8); return true;
            case (byte)'f': output.Add(12); return true;
            case (byte)'n': output.Add(10); return true;
            case (byte)'r': output.Add(13); return true;
            case (byte)'t': output.Add(9); return true;
            case (byte)'v': output.Add(11); return true;
            case (byte)'\\': output.Add((byte)'\\'); return true;
            case (byte)'\'' or (byte)'"':
                if (escape != quote)
                {
                    return false;
                }

                output.Add(escape);
                return true;
            case (byte)'x' or (byte)'u' or (byte)'U':
                var length = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
                if (s.Length < length)
                {
                    return false;
                }

                var v = 0L;
                for (var j = 0; j < length; j++)
                {
                    var digit = HexValue(s[j]);
                    if (digit < 0)
                    {
                        return false;
                    }

                    v = (v << 4) | (uint)digit;
                }

                s = s[length..];
                if (escape == 'x')
                {
                    output.Add((byte)v);
                    return true;
                }

                if (v > 0x10FFFF || v is >= 0xD800 and <= 0xDFFF)
                {
                    return false;
                }

                Span<byte> utf8 = stackalloc byte[4];
                var written = new Rune((int)v).EncodeToUtf8(utf8);
                output.AddRange(utf8[..written]);
                return true;
            case >= (byte)'0' and <= (byte)'7':
                var octal = escape - '0';
                if (s.Length < 2)
                {
                    return false;
                }

                for (var j = 0; j < 2; j++)
                {
                    var x = s[j] - '0';
                    if (x is < 0 or > 7)
                    {
                        return false;
                    }

                    octal = (octal << 3) | x;
                }

                s = s[2..];
                if (octal > 255)
                {
                    return false;
                }

                output.Add((byte)octal);
                return true;
            default:
                return false;
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

/// <summary>Go's <c>%#U</c> of a rune, as jsonpath's "unrecognized character" message prints it.</summary>
internal static class GoRuneText
{
    /// <summary><c>U+002A '*'</c>; the quoted character only when Go deems it printable.</summary>
    public static string Quoted(int rune)
    {
        var code = "U+" + rune.ToString("X4", CultureInfo.InvariantCulture);
        return IsPrint(rune) ? code + " '" + char.ConvertFromUtf32(rune) + "'" : code;
    }

    /// <summary><c>strconv.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(int rune)
    {
        if (rune == ' ')
        {
            return true;
        }

        if (!Rune.IsValid(rune))
        {
            return false;
        }

        return Rune.GetUnicodeCategory(new Rune(rune)) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }
}
