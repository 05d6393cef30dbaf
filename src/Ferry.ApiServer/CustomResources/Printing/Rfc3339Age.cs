using Ferry.ApiServer.Tables;

namespace Ferry.ApiServer.CustomResources.Printing;

/// <summary>
/// A <c>date</c> column's cell: apimachinery's <c>metav1.Time.UnmarshalQueryParameter</c> (Go's strict RFC 3339
/// parse) then <c>ConvertToHumanReadableDateType</c>: <c>&lt;unknown&gt;</c> for an empty or zero time,
/// <c>&lt;invalid&gt;</c> for text that does not parse, else the age as AGE columns print it.
/// </summary>
internal static class Rfc3339Age
{
    // Go's time.Duration saturates at about 292 years (2^63-1 ns).
    private static readonly TimeSpan _goMaxDuration = TimeSpan.FromTicks(long.MaxValue / 100);

    /// <summary>The age of <paramref name="timestamp"/> at <paramref name="now"/>.</summary>
    public static string Format(string timestamp, DateTimeOffset now)
    {
        if (timestamp.Length == 0 || timestamp == "null")
        {
            return "<unknown>";
        }

        if (UtcTicks(timestamp) is not { } ticks)
        {
            return "<invalid>";
        }

        if (ticks == 0)
        {
            return "<unknown>";
        }

        var age = ticks < 0 ? _goMaxDuration
            : ticks > DateTimeOffset.MaxValue.UtcTicks ? -_goMaxDuration
            : now - new DateTimeOffset(ticks, TimeSpan.Zero);
        if (age > _goMaxDuration)
        {
            age = _goMaxDuration;
        }
        else if (age < -_goMaxDuration)
        {
            age = -_goMaxDuration;
        }

        return HumanDuration.Format(age);
    }

    /// <summary>
    /// Go's <c>parseRFC3339</c>: <c>yyyy-MM-ddTHH:mm:ss[.fraction](Z|±hh:mm)</c>, fields range-checked. Ticks since
    /// 0001-01-01 UTC, negative before it (year 0 and offsets may reach there); null when it does not parse.
    /// </summary>
    private static long? UtcTicks(string s)
    {
        if (s.Length < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        {
            return null;
        }

        var year = Digits(s, 0, 4);
        var month = Digits(s, 5, 2);
        var day = Digits(s, 8, 2);
        var hour = Digits(s, 11, 2);
        var minute = Digits(s, 14, 2);
        var second = Digits(s, 17, 2);
        if (year < 0 || month is < 1 or > 12 || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59)
        {
            return null;
        }

        // Year 0 is a leap year in Go's proleptic calendar, as 2000 is.
        if (day < 1 || day > DateTime.DaysInMonth(year == 0 ? 2000 : year, month))
        {
            return null;
        }

        var rest = s.AsSpan(19);
        var fraction = 0L;
        if (rest.Length >= 2 && rest[0] == '.' && char.IsAsciiDigit(rest[1]))
        {
            var n = 1;
            while (n < rest.Length && char.IsAsciiDigit(rest[n]))
            {
                n++;
            }

            // Ticks are 100 ns: the first seven digits of the fraction.
            var digits = rest[1..n];
            for (var i = 0; i < 7; i++)
            {
                fraction = (fraction * 10) + (i < digits.Length ? digits[i] - '0' : 0);
            }

            rest = rest[n..];
        }

        var offsetMinutes = 0;
        if (rest is not "Z")
        {
            if (rest.Length != 6 || rest[0] is not ('+' or '-') || rest[3] != ':')
            {
                return null;
            }

            var offsetHours = Digits(rest, 1, 2);
            var offsetMins = Digits(rest, 4, 2);
            if (offsetHours is < 0 or > 23 || offsetMins is < 0 or > 59)
            {
                return null;
            }

            offsetMinutes = ((offsetHours * 60) + offsetMins) * (rest[0] == '-' ? -1 : 1);
        }

        var days = year == 0
            ? new DateTime(2000, month, day).DayOfYear - 1 - 366L
            : new DateTime(year, month, day).Ticks / TimeSpan.TicksPerDay;
        return (days * TimeSpan.TicksPerDay) + (((hour * 3600L) + (minute * 60L) + second) * TimeSpan.TicksPerSecond)
            + fraction - (offsetMinutes * TimeSpan.TicksPerMinute);
    }

    /// <summary>The decimal value of <paramref name="length"/> ASCII digits, or -1.</summary>
    private static int Digits(ReadOnlySpan<char> s, int start, int length)
    {
        var value = 0;
        foreach (var c in s.Slice(start, length))
        {
            if (!char.IsAsciiDigit(c))
            {
                return -1;
            }

            value = (value * 10) + (c - '0');
        }

        return value;
    }
}
