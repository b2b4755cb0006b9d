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
        string s => DateTimeOffset.ParseExact(s, SqliteFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        var other => throw new InvalidCastException($"Unexpected timestamp value of type {other.GetType().Name}."),
    };

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
