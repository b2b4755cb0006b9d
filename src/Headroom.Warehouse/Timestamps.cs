using System.Data.Common;
using System.Globalization;

namespace Headroom.Warehouse;

/// <summary>UTC timestamps to and from each provider's representation, at whole seconds.</summary>
internal static class Timestamps
{
    /// <summary>SQLite's text form: sortable as text and understood by its date functions.</summary>
    public const string SqliteFormat = "yyyy-MM-dd HH:mm:ss";

    public const string SqliteDayFormat = "yyyy-MM-dd";

    public static DateTimeOffset Utc(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static DateTimeOffset Read(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        string s => ParseSqlite(s),
        var other => throw new InvalidCastException($"Unexpected timestamp value of type {other.GetType().Name}."),
    };

    /// <summary>
    /// SQLite's <see cref="SqliteFormat"/> text as UTC. The digits are read directly when the text has that exact
    /// shape: ParseExact cost about a microsecond a row, the most of any column when the lake export reads millions
    /// of hourly rows. Anything else goes to ParseExact, which accepts or rejects it as before.
    /// </summary>
    public static DateTimeOffset ParseSqlite(string s)
    {
        if (s.Length == 19 && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && s[16] == ':'
            && Digits(s, 0, 4) is var year and >= 1 && Digits(s, 5, 2) is var month and >= 1 and <= 12 && Digits(s, 8, 2) is var day and >= 1
            && day <= DateTime.DaysInMonth(year, month) && Digits(s, 11, 2) is var hour and >= 0 and < 24
            && Digits(s, 14, 2) is var minute and >= 0 and < 60 && Digits(s, 17, 2) is var second and >= 0 and < 60)
            return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return DateTimeOffset.ParseExact(s, SqliteFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    /// <summary>The number written by <paramref name="count"/> ASCII digits at <paramref name="start"/>, or -1 when one is not a digit.</summary>
    private static int Digits(string s, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
                return -1;
            value = (value * 10) + (s[i] - '0');
        }
        return value;
    }

    public static DateTimeOffset? ReadNullable(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Read(reader, ordinal);

    public static DateOnly ReadDay(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s => DateOnly.ParseExact(s, SqliteDayFormat, CultureInfo.InvariantCulture),
        var other => throw new InvalidCastException($"Unexpected date value of type {other.GetType().Name}."),
    };

    public static bool IsWholeHour(DateTimeOffset value) => value.UtcTicks % TimeSpan.TicksPerHour == 0;
}
