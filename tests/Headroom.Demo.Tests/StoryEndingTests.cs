using Headroom.Etl;

namespace Headroom.Demo.Tests;

/// <summary>
/// Where a story's ETL starts: the first whole hour whose every range lies in the written history. An hour that starts
/// less than a range after the history reads extrapolated rates (an idle host looked 30% busy, and the sharded story
/// flagged nothing when it ran in the last minutes of an hour).
/// </summary>
public class StoryEndingTests
{
    [Fact]
    public void The_node_profile_reads_five_minutes_back()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), StoryEnding.LongestRange(ProfileLoader.Load("node")));
    }

    [Theory]
    [InlineData("rate(x[5m])", 5)]
    [InlineData("1 - avg by (instance) (rate(x[5m]) * on (instance) group_left max_over_time(y[10m]))", 10)]
    [InlineData("max_over_time(rate(x[2m])[30m:1m])", 32)]
    [InlineData("-(x)", 0)]
    [InlineData("histogram_quantile(0.9, sum by (le) (increase(b[15m])))", 15)]
    public void The_longest_range_is_found_anywhere_in_an_expression(string expr, int minutes)
    {
        var profile = ProfileLoader.Parse($"name: t\nidentity: [instance]\ndimensions:\n  - name: d\n    unit: ratio\n    expr: '{expr}'\n", "test");
        Assert.Equal(TimeSpan.FromMinutes(minutes), StoryEnding.LongestRange(profile));
    }

    [Theory]
    [InlineData("2026-11-28T12:55:00Z", "2026-11-28T14:00:00Z")]
    [InlineData("2026-11-28T12:54:00Z", "2026-11-28T13:00:00Z")]
    [InlineData("2026-11-28T12:58:00Z", "2026-11-28T14:00:00Z")]
    [InlineData("2026-11-28T12:00:00Z", "2026-11-28T13:00:00Z")]
    public void The_first_hour_loaded_starts_a_range_after_the_history(string history, string first)
    {
        var start = DateTimeOffset.Parse(history, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture),
            StoryEnding.FirstWholeHour(start, ProfileLoader.Load("node")));
    }
}
