using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

/// <summary>The one Prometheus duration parser and formatter (issue 13, "One of each primitive").</summary>
public class DurationsTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("90s", 90_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1y2w3d4h5m6s7ms", ((382L * 24 + 4) * 3600 + 5 * 60 + 6) * 1000 + 7)]
    public void Parses_prometheus_durations(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration, out var error), error);
        Assert.Equal(milliseconds, (long)duration.TotalMilliseconds);
        Assert.True(Durations.TryParseSetting(text, out var setting, out var settingError), settingError);
        Assert.Equal(duration, setting);
        Assert.Equal("", settingError);
    }

    [Theory]
    [InlineData("", "empty duration string")]
    [InlineData("1.5h", "not a valid duration string: \"1.5h\"")]
    [InlineData("1m1h", "not a valid duration string: \"1m1h\"")]
    [InlineData("5", "not a valid duration string: \"5\"")]
    [InlineData("-5m", "not a valid duration string: \"-5m\"")]
    [InlineData("99999999999999999999y", "not a valid duration string: \"99999999999999999999y\"")]
    [InlineData("300000y", "not a valid duration string: \"300000y\"")]
    public void Refuses_what_prometheus_refuses_in_its_words(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("5x", "'5x' is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest first, e.g. 60s, 1h30m or 14d")]
    [InlineData("300000y", "'300000y' is not a duration: use a number and a unit (ms, s, m, h, d, w, y), largest first, e.g. 60s, 1h30m or 14d")]
    [InlineData(" ", "a duration is required, e.g. 60s, 5m, 1h or 14d")]
    [InlineData(null, "a duration is required, e.g. 60s, 5m, 1h or 14d")]
    public void A_setting_that_is_not_a_duration_says_what_to_write(string? text, string expected)
    {
        Assert.False(Durations.TryParseSetting(text, out _, out var error));
        Assert.Equal(expected, error);
        if (text is not null)
        {
            Assert.Equal(expected, Assert.Throws<FormatException>(() => Durations.Parse(text)).Message);
        }
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(1, "1ms")]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(90L * 86_400_000, "90d")]
    [InlineData(14L * 86_400_000, "2w")]
    [InlineData(365L * 86_400_000, "1y")]
    [InlineData(379L * 86_400_000, "379d")]
    [InlineData(-90_000, "-1m30s")]
    public void Formats_the_prometheus_way(long milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
