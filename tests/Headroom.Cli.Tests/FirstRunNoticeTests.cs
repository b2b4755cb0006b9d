using Headroom.Cli.Commands;
using Headroom.Etl;

namespace Headroom.Cli.Tests;

/// <summary>What a run on a young source tells its user.</summary>
public sealed class FirstRunNoticeTests
{
    private static readonly DateTimeOffset To = new(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);

    private static EtlReport Report(long rows = 0) =>
        new(1, To.AddDays(-7), To, 7, rows, 0, new Dictionary<string, long>(), 0, 0, 3);

    [Fact]
    public void A_source_older_than_the_range_says_nothing() => Assert.Empty(FirstRunNotice.Lines(Report(), TimeSpan.FromMinutes(5)));

    [Fact]
    public void A_source_started_minutes_ago_says_what_it_waits_for_and_when_the_report_is_full()
    {
        var lines = FirstRunNotice.Lines(Report() with { HistoryStart = To, HoursBeforeHistory = 168 }, TimeSpan.FromMinutes(5));
        Assert.Equal(3, lines.Count);
        Assert.Equal("the source's history starts at 2026-11-30 04:00Z: the 168 hours before it are before its history, not gaps.", lines[0]);
        Assert.Equal("nothing to load yet: the first complete hour ends at 2026-11-30 06:00Z; run again after 2026-11-30 06:05Z.", lines[1]);
        Assert.Contains("rightsizing needs 30 hours of data (from 2026-12-01 11:00Z)", lines[2], StringComparison.Ordinal);
        Assert.Contains("a full 14-day window from 2026-12-14 06:00Z", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_a_few_hours_old_says_what_it_loaded()
    {
        var lines = FirstRunNotice.Lines(Report(90) with { HistoryStart = To.AddHours(-3), HoursBeforeHistory = 165 }, TimeSpan.FromMinutes(5));
        Assert.Equal("loaded 90 rows of the 3 hours it holds.", lines[1]);
    }

    [Fact]
    public void A_source_without_the_profiles_series_asks_whether_it_is_scraped()
    {
        var line = Assert.Single(FirstRunNotice.Lines(Report() with { SourceHoldsNoData = true, HoursBeforeHistory = 168 }, TimeSpan.FromMinutes(5)));
        Assert.Contains("holds no data for this profile (168 hours checked, none counted as gaps)", line, StringComparison.Ordinal);
    }
}
