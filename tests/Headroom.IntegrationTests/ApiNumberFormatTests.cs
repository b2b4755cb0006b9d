using System.Text.Json;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.Testing;

namespace Headroom.IntegrationTests;

/// <summary>
/// Values and timestamps in a query answer are spelled exactly as Prometheus spells them: a client comparing the
/// gateway's JSON with a Prometheus server's, or parsing it with a strict reader, sees no difference.
/// </summary>
public sealed class ApiNumberFormatTests(PromqlPrometheus prometheus) : IClassFixture<PromqlPrometheus>
{
    [Theory]
    [InlineData("1e-7", "1.5")]
    [InlineData("-2e-9", "1.25")]
    [InlineData("1.5e-7", "7")]
    [InlineData("0.000001", "100.001")]
    [InlineData("0.00001", "1.010")]
    [InlineData("1e20", "0.5")]
    [InlineData("1e21", "1793491207.5")]
    [InlineData("1.5e22", "3")]
    [InlineData("123456789012345678", "12")]
    [InlineData("0.1", "1")]
    [InlineData("-1e300", "2.002")]
    [InlineData("1e15", "9")]
    [InlineData("123.456", "1.999")]
    public async Task A_value_and_its_time_read_as_prometheus_writes_them(string value, string time)
    {
        var query = $"vector({value})";
        var theirs = await prometheus.Http.GetStringAsync(new Uri(prometheus.Server.BaseUri, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={time}"));
        var at = (long)Math.Round(double.Parse(time, System.Globalization.CultureInfo.InvariantCulture) * 1000);
        var ours = QueryResponseWriter.ToJson(await new QueryEngine(new InMemoryStorage()).InstantAsync(query, at));

        Assert.Equal(Point(theirs), Point(ours));
    }

    [Theory]
    [InlineData("1e-7", "1.5")]
    [InlineData("1e22", "1793491207.5")]
    [InlineData("-123456789.125", "7.25")]
    [InlineData("0.1 + 0.2", "100.001")]
    public async Task A_scalar_answer_reads_as_prometheus_writes_it(string query, string time)
    {
        var theirs = await prometheus.Http.GetStringAsync(new Uri(prometheus.Server.BaseUri, $"api/v1/query?query={Uri.EscapeDataString(query)}&time={time}"));
        var at = (long)Math.Round(double.Parse(time, System.Globalization.CultureInfo.InvariantCulture) * 1000);
        var ours = QueryResponseWriter.ToJson(await new QueryEngine(new InMemoryStorage()).InstantAsync(query, at));

        Assert.Equal(Result(theirs), Result(ours));
    }

    [Fact]
    public async Task A_range_answer_reads_as_prometheus_writes_it()
    {
        const string Query = "vector(1e-7) or vector(time() * 1e18)";
        var theirs = await prometheus.Http.GetStringAsync(new Uri(prometheus.Server.BaseUri,
            $"api/v1/query_range?query={Uri.EscapeDataString(Query)}&start=1.25&end=4000.25&step=999.5"));
        var ours = QueryResponseWriter.ToJson(await new QueryEngine(new InMemoryStorage()).RangeAsync(Query, 1_250, 4_000_250, 999_500));

        Assert.Equal(Result(theirs), Result(ours));
    }

    private static string Result(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result").GetRawText();
    }

    /// <summary>The first sample's <c>[time,"value"]</c> exactly as written.</summary>
    private static string Point(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value").GetRawText();
    }
}
