using System.Globalization;

namespace Headroom.Warehouse.Tests;

/// <summary>SQLite's timestamp text read by the fast digit path answers exactly as ParseExact did, and rejects what it rejected.</summary>
public sealed class TimestampsTests
{
    [Theory]
    [InlineData("2026-11-28 05:00:00")]
    [InlineData("2024-02-29 23:59:59")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("9999-12-31 23:59:59")]
    public void A_well_formed_timestamp_reads_as_ParseExact_reads_it(string text)
    {
        var expected = DateTimeOffset.ParseExact(text, Timestamps.SqliteFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        var actual = Timestamps.ParseSqlite(text);
        Assert.Equal(expected, actual);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
    }

    [Theory]
    [InlineData("2025-02-29 00:00:00")]
    [InlineData("2026-13-01 00:00:00")]
    [InlineData("2026-11-28 24:00:00")]
    [InlineData("2026-11-28 05:60:00")]
    [InlineData("2026-11-28T05:00:00")]
    [InlineData("2026-1a-28 05:00:00")]
    [InlineData("2026-11-28 05:00")]
    public void A_malformed_timestamp_is_rejected(string text) =>
        Assert.Throws<FormatException>(() => Timestamps.ParseSqlite(text));
}
