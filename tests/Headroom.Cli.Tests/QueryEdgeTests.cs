using System.Globalization;
using System.Text.Json;
using Headroom.Testing;

namespace Headroom.Cli.Tests;

/// <summary>
/// <c>headroom query</c> over a Prometheus 2 counts a sample on a window's left edge as that server does: every sample
/// sits on its 15 s slot and the query runs on a whole minute, so each window starts on one.
/// </summary>
public sealed class QueryEdgeTests(PromqlPrometheusOnSlots prometheus) : IClassFixture<PromqlPrometheusOnSlots>
{
    [Theory]
    [InlineData("count_over_time(http_requests_total[10m])")]
    [InlineData("sum by (job) (rate(http_requests_total[5m]))")]
    [InlineData("count_over_time(rate(http_requests_total[5m])[30m:1m])")]
    public async Task Answers_equal_the_prometheus_2_source_where_samples_sit_on_window_edges(string expr)
    {
        var at = PromqlHistory.Start.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var result = await Cli.RunAsync("query", expr, "--source", prometheus.Server.BaseUri.AbsoluteUri, "--time", at);
        var theirs = await prometheus.Http.GetStringAsync(new Uri(prometheus.Server.BaseUri, $"api/v1/query?query={Uri.EscapeDataString(expr)}&time={at}"));

        Assert.True(result.ExitCode == 0, result.Error);
        var expected = Samples(theirs);
        var actual = Samples(result.Output);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (series, value) in expected)
        {
            // Sums may add in another order: equal to 1e-9, where a sample more or less on the edge moves a rate by percents.
            Assert.True(Math.Abs(value - actual[series]) <= 1e-9 * Math.Abs(value), $"{series}: Prometheus {value}, Headroom {actual[series]}");
        }
    }

    /// <summary>The result's samples by their labels.</summary>
    private static Dictionary<string, double> Samples(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToDictionary(
            s => s.GetProperty("metric").GetRawText(),
            s => double.Parse(s.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture));
    }
}
