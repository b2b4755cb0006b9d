using Headroom.PromQL;
using Headroom.Ruler.Templating;

namespace Headroom.Ruler.Tests;

/// <summary>The templater against outputs Prometheus' Go templates give for the same text (from Prometheus' template tests and Go's fmt).</summary>
public sealed class TemplateTests
{
    private static readonly TemplateData s_data = new(Labels.Of("instance", "web-1:9100", "job", "node"), 0.8765, Labels.Of("cluster", "eu-1"), "http://ruler.example");

    private static string Expand(string text, double? value = null) =>
        AlertTemplate.Parse(text).Expand(value is null ? s_data : s_data with { Value = value.Value });

    [Theory]
    [InlineData("{{ $labels.instance }} is down", "web-1:9100 is down")]
    [InlineData("{{ .Labels.job }}/{{ $externalLabels.cluster }}", "node/eu-1")]
    [InlineData("{{ $labels.missing }}|", "|")]
    [InlineData("{{ $value }}", "0.8765")]
    [InlineData("{{ .Value }}", "0.8765")]
    [InlineData("{{ $value | humanizePercentage }}", "87.65%")]
    [InlineData("{{ humanizePercentage $value }}", "87.65%")]
    [InlineData("{{ printf \"%.2f\" $value }}", "0.88")]
    [InlineData("{{ $value | printf \"%.1f%%\" }}", "0.9%")]
    [InlineData("{{ $labels.instance | stripPort | toUpper }}", "WEB-1")]
    [InlineData("{{ if gt $value 0.5 }}high{{ else }}low{{ end }}", "high")]
    [InlineData("{{ if lt $value 0.5 }}low{{ else if lt $value 0.9 }}mid{{ else }}high{{ end }}", "mid")]
    [InlineData("a {{- \" b \" -}} c", "a b c")]
    [InlineData("{{/* a comment */}}x", "x")]
    [InlineData("{{ $externalURL }}", "http://ruler.example")]
    [InlineData("{{ title \"disk full\" }}", "Disk Full")]
    [InlineData("{{ printf \"%s has %d cores\" $labels.instance 4 }}", "web-1:9100 has 4 cores")]
    [InlineData("{{ printf \"%5.1f|%-4s|\" 3.14159 \"ab\" }}", "  3.1|ab  |")]
    public void Expands_like_prometheus(string template, string expected) => Assert.Equal(expected, Expand(template));

    [Theory]
    [InlineData(1234567.0, "1.235M")]
    [InlineData(1000.0, "1k")]
    [InlineData(0.001234, "1.234m")]
    [InlineData(0.0, "0")]
    [InlineData(-1500.0, "-1.5k")]
    [InlineData(12.0, "12")]
    public void Humanize(double value, string expected) => Assert.Equal(expected, Expand("{{ humanize $value }}", value));

    [Theory]
    [InlineData(3661.0, "1h 1m 1s")]
    [InlineData(90061.0, "1d 1h 1m 1s")]
    [InlineData(61.0, "1m 1s")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.5, "500ms")]
    [InlineData(0.0, "0s")]
    public void Humanize_duration(double value, string expected) => Assert.Equal(expected, Expand("{{ $value | humanizeDuration }}", value));

    [Theory]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(123456.0, "123456")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void Prints_values_as_go_does(double value, string expected) => Assert.Equal(expected, Expand("{{ $value }}", value));

    [Fact]
    public void Humanize1024_and_timestamp()
    {
        Assert.Equal("2ki", Expand("{{ humanize1024 2048.0 }}"));
        Assert.Equal("1.5Mi", Expand("{{ humanize1024 1572864.0 }}"));
        Assert.Equal("2026-11-29 23:02:03.5 +0000 UTC", Expand("{{ humanizeTimestamp 1795993323.5 }}"));
    }

    [Theory]
    [InlineData("{{ query \"up\" }}", "query")]
    [InlineData("{{ humanise $value }}", "humanise")]
    [InlineData("{{ $valeu }}", "$valeu")]
    [InlineData("{{ range $labels }}x{{ end }}", "range")]
    [InlineData("{{ if $value }}x", "end")]
    [InlineData("{{ $value", "unclosed")]
    [InlineData("{{ end }}", "end")]
    [InlineData("{{ $labels.instance", "unclosed action")]
    [InlineData("{{ nosuchfunc $value }}", "function \"nosuchfunc\" not defined")]
    [InlineData("{{ humanize }}", "wrong number of args for humanize: want 1 got 0")]
    [InlineData("{{ $value | humanize 2 }}", "wrong number of args for humanize: want 1 got 2")]
    [InlineData("{{ reReplaceAll \"a\" $labels.instance }}", "wrong number of args for reReplaceAll: want 3 got 2")]
    [InlineData("{{ printf }}", "wrong number of args for printf: want at least 1 got 0")]
    [InlineData("{{ if gt $value }}x{{ end }}", "wrong number of args for gt: want 2 got 1")]
    [InlineData("{{ $value | $labels }}", "can't pipe a value into a non-function")]
    public void Refuses_at_parse_time(string template, string named)
    {
        var e = Assert.Throws<TemplateException>(() => AlertTemplate.Parse(template));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_function_has_its_argument_count() => Assert.Equal(TemplateFunctions.Names, TemplateFunctions.NamesWithArity);

    [Fact]
    public void Plain_text_is_returned_as_it_is() => Assert.True(AlertTemplate.Parse("just text").IsPlain);
}
