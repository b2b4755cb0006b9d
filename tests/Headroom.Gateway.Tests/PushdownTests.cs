using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Headroom.Prometheus.ServerApi;

namespace Headroom.Gateway.Tests;

/// <summary>
/// Pushdown is exact or absent: every pushable aggregation answers as the gateway's own evaluation does (within
/// 1e-9, relative) with the stats naming what went to the shards; every unpushable expression is evaluated in the
/// gateway (no stats entry) and answers the same; tenancy holds through pushed queries; a shard or a replica down
/// is handled as for any other read.
/// </summary>
public sealed partial class PushdownTests(PushdownFixture fixture) : IClassFixture<PushdownFixture>
{
    private static readonly string Time = PromValueFormat.Timestamp(PushdownFixture.End - 60_000);

    private static readonly (string Start, string End, string Step)[] Ranges =
    [
        (PromValueFormat.Timestamp(PushdownFixture.Start + 1_800_000), PromValueFormat.Timestamp(PushdownFixture.End), "60"),
        (PromValueFormat.Timestamp(PushdownFixture.Start + 1_234_000), PromValueFormat.Timestamp(PushdownFixture.End - 1_000), "45"),
    ];

    /// <summary>Each pushable kind, with by/without, over selectors and range functions, and the number of aggregations pushed.</summary>
    public static readonly TheoryData<string, int> Pushable = new()
    {
        { "sum(rate(http_requests_total[5m]))", 1 },
        { "sum by (job) (rate(http_requests_total[5m]))", 1 },
        { "sum without (instance) (rate(http_requests_total[5m]))", 1 },
        { "sum by (region, code) (increase(http_requests_total[10m]))", 1 },
        { "sum without (instance, job) (memory_bytes)", 1 },
        { "sum(memory_bytes offset 10m)", 1 },
        { "min by (job) (memory_bytes)", 1 },
        { "max without (instance) (memory_bytes)", 1 },
        { "max by (region) (max_over_time(memory_bytes[10m]))", 1 },
        { "min(min_over_time(memory_bytes{job=\"api\"}[7m]))", 1 },
        { "count(memory_bytes)", 1 },
        { "count by (code) (rate(http_requests_total[5m]))", 1 },
        { "count without (instance) (http_requests_total)", 1 },
        { "group by (job) (memory_bytes)", 1 },
        { "group without (instance, code) (http_requests_total)", 1 },
        { "topk(3, memory_bytes)", 1 },
        { "topk by (job) (2, rate(http_requests_total[5m]))", 1 },
        { "bottomk(4, rate(http_requests_total{code=\"500\"}[5m]))", 1 },
        { "bottomk without (instance, code) (1, max_over_time(memory_bytes[10m]))", 1 },
        { "avg(memory_bytes)", 2 },
        { "avg by (job) (rate(http_requests_total[5m]))", 2 },
        { "avg without (instance, code) (irate(http_requests_total[5m]))", 2 },
        { "avg by (region) (avg_over_time(memory_bytes[15m]))", 2 },
        { "sum(quantile_over_time(0.9, memory_bytes[10m]))", 1 },
        { "sum by (team) (delta(memory_bytes[10m]))", 1 },
        { "max(deriv(memory_bytes[10m]))", 1 },
        { "sum(predict_linear(memory_bytes[10m], 600))", 1 },
        { "sum(changes(memory_bytes[10m])) + count(resets(http_requests_total[10m]))", 2 },
        { "sum(rate(http_requests_total{code=\"500\"}[5m])) / sum(rate(http_requests_total[5m]))", 2 },
        { "histogram_quantile(0.9, sum by (le) (rate(latency_seconds_bucket[5m])))", 1 },
        { "histogram_quantile(0.5, sum by (job, le) (rate(latency_seconds_bucket[5m])))", 1 },
        { "quantile(0.5, sum by (instance) (rate(http_requests_total[5m])))", 1 },
        { "count(count by (job) (memory_bytes))", 1 },
        { "abs(sum by (job) (memory_bytes) - 1000)", 1 },
        { "sum({__name__=~\"memory_bytes|http_requests_total\"})", 1 },
        { "sum(count_over_time(memory_bytes[10m]) > 5)", 0 },
    };

    /// <summary>Expressions the gateway must evaluate itself (promxy's rules and a few more), for any reason.</summary>
    public static readonly TheoryData<string> Unpushable = new()
    {
        "quantile(0.9, memory_bytes)",
        "stddev(memory_bytes)",
        "stdvar by (job) (rate(http_requests_total[5m]))",
        "count_values(\"v\", count_over_time(memory_bytes[5m]))",
        "limitk(2, memory_bytes)",
        "sum(max_over_time(rate(http_requests_total[5m])[30m:1m]))",
        "max_over_time(sum(memory_bytes)[30m:1m])",
        "max_over_time(sum(rate(http_requests_total[5m]))[20m:])",
        "sum(memory_bytes @ " + PromValueFormat.Timestamp(PushdownFixture.End - 3_600_000) + ")",
        "sum(rate(http_requests_total[5m] @ end()))",
        "sum(memory_bytes offset -5m)",
        "sum(memory_bytes offset 5m - memory_bytes)",
        "sum(rate(http_requests_total[5m]) * 2)",
        "sum(rate(http_requests_total{code=\"500\"}[5m]) / ignoring (code) rate(http_requests_total{code=\"200\"}[5m]))",
        "sum(abs(memory_bytes))",
        "sum(absent_over_time(nothing_here[5m]))",
        "topk(scalar(count(memory_bytes)) - 20, memory_bytes)",
        "sum by (__name__) (memory_bytes)",
        "sum by (replica) (memory_bytes)",
        "sum(label_replace(memory_bytes, \"x\", \"$1\", \"instance\", \"(.*)\"))",
        "rate(http_requests_total[5m])",
        "memory_bytes",
    };

    [Theory]
    [MemberData(nameof(Pushable))]
    public async Task A_pushed_aggregation_answers_as_the_gateway_does(string query, int pushed)
    {
        foreach (var path in Paths(query))
        {
            var (withStatus, withBody, with) = await fixture.GetAsync(fixture.Open, path + "&stats=all");
            var (withoutStatus, withoutBody, without) = await fixture.GetAsync(fixture.Open, path + "&pushdown=false");

            Assert.True(withStatus == HttpStatusCode.OK, withBody);
            Assert.True(withoutStatus == HttpStatusCode.OK, withoutBody);
            Assert.Equal(pushed, PushedTexts(with).Count);
            Assert.False(without.GetProperty("data").TryGetProperty("stats", out _), "stats only when asked for");
            AssertSameAnswer(without, with, $"{query} ({path})");
        }
    }

    [Theory]
    [MemberData(nameof(Unpushable))]
    public async Task An_unpushable_expression_is_evaluated_in_the_gateway(string query)
    {
        foreach (var path in Paths(query))
        {
            var (status, body, with) = await fixture.GetAsync(fixture.Open, path + "&stats=all");
            var (_, _, without) = await fixture.GetAsync(fixture.Open, path + "&pushdown=false");

            Assert.True(status == HttpStatusCode.OK, body);
            Assert.Empty(PushedTexts(with));
            AssertSameAnswer(without, with, $"{query} ({path})");
        }
    }

    [Fact]
    public async Task The_stats_say_what_was_pushed_and_the_metric_counts_it()
    {
        var before = await PushdownsAsync();
        var (_, _, json) = await fixture.GetAsync(fixture.Open,
            Q("avg by (job) (rate(http_requests_total{code=\"500\"}[5m])) > on (job) group_left max by (job) (memory_bytes)") + "&stats=all");

        Assert.Equal(
            [
                "sum by (job) (rate(http_requests_total{code=\"500\"}[5m]))",
                "count by (job) (rate(http_requests_total{code=\"500\"}[5m]))",
                "max by (job) (memory_bytes)",
            ],
            PushedTexts(json));
        Assert.Equal(before + 3, await PushdownsAsync());

        var (_, plain, _) = await fixture.GetAsync(fixture.Open, Q("sum(memory_bytes)"));
        Assert.DoesNotContain("stats", plain, StringComparison.Ordinal);
        var (_, off, offJson) = await fixture.GetAsync(fixture.Open, Q("sum(memory_bytes)") + "&pushdown=false&stats=all");
        Assert.Empty(PushedTexts(offJson));
        Assert.Equal(before + 4, await PushdownsAsync());
        Assert.Contains("\"status\":\"success\"", off, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_pushdown_parameter_is_refused()
    {
        var (status, body, _) = await fixture.GetAsync(fixture.Open, Q("sum(memory_bytes)") + "&pushdown=maybe");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("pushdown", body, StringComparison.Ordinal);
    }

    private async Task<double> PushdownsAsync()
    {
        using var response = await fixture.Http.GetAsync(new Uri(fixture.Open.BaseUri, "metrics"));
        var text = await response.Content.ReadAsStringAsync();
        var match = PushdownCounter().Match(text);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^headroom_gateway_pushdowns_total (\S+)$", RegexOptions.Multiline)]
    private static partial Regex PushdownCounter();

    internal static string Q(string query, string? time = null) => "api/v1/query?query=" + Uri.EscapeDataString(query) + "&time=" + (time ?? Time);

    /// <summary>The query as an instant query and as range queries over two grids (one not aligned to its step).</summary>
    internal static IEnumerable<string> Paths(string query)
    {
        yield return Q(query);
        foreach (var (start, end, step) in Ranges)
        {
            yield return "api/v1/query_range?query=" + Uri.EscapeDataString(query) + $"&start={start}&end={end}&step={step}";
        }
    }

    internal static List<string> PushedTexts(JsonElement json) =>
        json.GetProperty("data").TryGetProperty("stats", out var stats)
            ? [.. stats.GetProperty("pushdown").EnumerateArray().Select(e => e.GetString()!)]
            : [];

    /// <summary>Same series (by labels), same times, values within 1e-9 relative; the order of an instant vector is free, as in Prometheus.</summary>
    internal static void AssertSameAnswer(JsonElement expected, JsonElement actual, string what)
    {
        var e = Points(expected);
        var a = Points(actual);
        Assert.True(e.Count > 0 || what.Contains("nothing_here", StringComparison.Ordinal), $"{what}: the reference answer is empty, so it checks nothing");
        Assert.Equal(e.Keys.Order(StringComparer.Ordinal), a.Keys.Order(StringComparer.Ordinal));
        foreach (var (labels, points) in e)
        {
            var other = a[labels];
            Assert.True(points.Count == other.Count, $"{what}: {labels} has {points.Count} points, pushed {other.Count}");
            for (var i = 0; i < points.Count; i++)
            {
                Assert.Equal(points[i].T, other[i].T);
                var (x, y) = (points[i].V, other[i].V);
                var close = x.Equals(y) || Math.Abs(x - y) <= 1e-9 * Math.Max(Math.Abs(x), Math.Abs(y));
                Assert.True(close, $"{what}: {labels} at {points[i].T}: {x:R} in the gateway, {y:R} pushed");
            }
        }
        Assert.Equal(Strings(expected, "warnings"), Strings(actual, "warnings"));
    }

    private static List<string> Strings(JsonElement json, string name) =>
        json.TryGetProperty(name, out var list) ? [.. list.EnumerateArray().Select(e => e.GetString()!)] : [];

    private static Dictionary<string, List<(double T, double V)>> Points(JsonElement json)
    {
        var data = json.GetProperty("data");
        var result = new Dictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            result["scalar"] = [Point(data.GetProperty("result"))];
            return result;
        }
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            var labels = string.Join(",", series.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").Order(StringComparer.Ordinal));
            var points = series.TryGetProperty("values", out var values) ? values.EnumerateArray().Select(Point).ToList() : [Point(series.GetProperty("value"))];
            Assert.True(result.TryAdd(labels, points), $"two series with labels {labels}");
        }
        return result;
    }

    private static (double, double) Point(JsonElement pair) => (pair[0].GetDouble(), pair[1].GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    });
}
