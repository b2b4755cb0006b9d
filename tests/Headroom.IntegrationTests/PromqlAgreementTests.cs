using System.Globalization;
using System.Text;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.IntegrationTests;

/// <summary>
/// The same queries through Headroom's engine (over remote read) and through Prometheus' HTTP API, on the same
/// data (<see cref="PromqlHistory"/>): results must agree within 1e-6 relative.
/// </summary>
/// <remarks>
/// The installed Prometheus is 2.42, whose range selectors and subquery ranges are left-closed; Headroom follows
/// Prometheus 3 (left-open). The data's samples sit 3–12 s after 15 s slots, and instant queries run on whole
/// minutes with ranges and offsets in whole minutes, so no sample ever sits on a range's left edge. Subquery
/// steps would land on their range's left edge at whole minutes, so subqueries run 30 s past the minute.
/// </remarks>
public sealed class PromqlAgreementTests(PromqlPrometheus prometheus, ITestOutputHelper output) : IClassFixture<PromqlPrometheus>
{
    private const double Tolerance = 1e-6;
    private static readonly DateTimeOffset Start = PromqlHistory.Start;
    private static readonly long Pinned = Start.AddHours(2).ToUnixTimeSeconds();

    public static readonly string[] Queries =
    [
        "http_requests_total",
        "rate(http_requests_total[5m])",
        "increase(http_requests_total[10m])",
        "irate(http_requests_total[5m])",
        "resets(http_requests_total[1h])",
        "sum by (job) (rate(http_requests_total[5m]))",
        "sum without (instance) (increase(http_requests_total[15m]))",
        "histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))",
        "histogram_quantile(0.5, rate(request_duration_seconds_bucket[10m]))",
        "histogram_quantile(0.99, sum by (le) (increase(request_duration_seconds_bucket[30m])))",
        "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])",
        "topk(3, rate(http_requests_total[5m]))",
        "bottomk(2, sum by (instance) (rate(http_requests_total[5m])))",
        "topk by (job) (1, http_requests_total)",
        "rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])",
        "sum by (instance) (rate(http_requests_total[5m])) / on(instance) group_left node_memory_used_bytes",
        "rate(http_requests_total[5m]) / on(job, instance) group_left sum by (job, instance) (rate(http_requests_total[5m]))",
        "node_memory_used_bytes * on(instance) group_right(job) sum by (instance, code) (rate(http_requests_total[5m]))",
        "node_memory_used_bytes > 8e9",
        "node_memory_used_bytes > bool 8e9",
        "sum by (job) (rate(http_requests_total[5m])) and on(job) sum by (job) (rate(http_requests_total{code=\"500\"}[5m])) > 2",
        "rate(http_requests_total{job=\"api\"}[5m]) or rate(http_requests_total{instance=\"a\"}[5m])",
        "http_requests_total unless on(instance) node_memory_used_bytes < 10e9",
        "avg_over_time(node_memory_used_bytes[1h] offset 30m)",
        "node_memory_used_bytes offset 1h",
        $"node_memory_used_bytes @ {Pinned}",
        $"rate(http_requests_total[5m] @ {Pinned})",
        $"sum(rate(http_requests_total[5m] offset 10m @ {Pinned}))",
        "delta(node_memory_used_bytes[15m])",
        "idelta(node_memory_used_bytes[15m])",
        "deriv(node_memory_used_bytes[30m])",
        "predict_linear(node_memory_used_bytes[30m], 3600)",
        "quantile_over_time(0.95, node_memory_used_bytes[1h])",
        "stddev_over_time(node_memory_used_bytes[1h])",
        "max_over_time(node_memory_used_bytes[20m]) - min_over_time(node_memory_used_bytes[20m])",
        "count_over_time(http_requests_total[10m])",
        "changes(node_memory_used_bytes[10m])",
        "last_over_time(batch_last_duration_seconds[10m])",
        "batch_last_duration_seconds",
        "absent(batch_last_duration_seconds)",
        "absent_over_time(batch_last_duration_seconds[10m])",
        "quantile(0.75, rate(http_requests_total[5m]))",
        "stddev by (job) (rate(http_requests_total[5m]))",
        "count by (code) (http_requests_total)",
        "avg(node_memory_used_bytes)",
        "max by (job) (rate(http_requests_total[5m]))",
        "count_values(\"requests\", round(rate(http_requests_total[5m])))",
        "label_replace(rate(http_requests_total[5m]), \"service\", \"$1-svc\", \"job\", \"(.*)\")",
        "time() - timestamp(node_memory_used_bytes)",
        "clamp_max(rate(http_requests_total[5m]), 5)",
        "round(node_memory_used_bytes / 1e6, 0.5)",
        "sqrt(rate(http_requests_total[5m])) + ln(node_memory_used_bytes offset 5m) * on(instance) group_left sum by (instance) (up or vector(1))",
        "scalar(sum(rate(http_requests_total[5m]))) * 2",
        "vector(time()) - on() group_left max(timestamp(http_requests_total))",
    ];

    public static readonly string[] Subqueries =
    [
        "max_over_time(rate(http_requests_total[5m])[30m:1m])",
        "avg_over_time(sum by (job) (rate(http_requests_total[5m]))[1h:5m])",
        "rate(sum by (job) (http_requests_total)[30m:1m])",
        "max_over_time(deriv(node_memory_used_bytes[10m])[20m:2m] offset 10m)",
        "min_over_time(histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))[30m:1m])",
        $"sum_over_time(increase(http_requests_total[5m])[15m:5m] @ {Pinned + 30})",
    ];

    private static readonly DateTimeOffset[] InstantTimes =
    [
        Start.AddHours(1), Start.AddMinutes(135), Start.AddHours(3), Start.AddMinutes(285), Start.AddMinutes(350), Start.AddMinutes(363),
    ];

    [Fact]
    public async Task Instant_queries_agree_with_prometheus()
    {
        var problems = new StringBuilder();
        var compared = 0;
        foreach (var query in Queries)
        {
            foreach (var time in InstantTimes)
                compared += await CompareInstantAsync(query, time, problems);
        }
        foreach (var query in Subqueries)
        {
            foreach (var time in InstantTimes)
                compared += await CompareInstantAsync(query, time.AddSeconds(30), problems);
        }
        output.WriteLine($"{compared} values compared");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.True(compared > 1200, $"only {compared} values compared");
    }

    [Fact]
    public async Task Range_queries_agree_with_prometheus()
    {
        var problems = new StringBuilder();
        var compared = 0;
        var start = Start.AddMinutes(30);
        var end = Start.AddMinutes(370);
        foreach (var query in Queries)
            compared += await CompareRangeAsync(query, start, end, TimeSpan.FromMinutes(5), problems);
        foreach (var query in Subqueries)
            compared += await CompareRangeAsync(query, start.AddSeconds(30), end.AddSeconds(30), TimeSpan.FromMinutes(5), problems);
        output.WriteLine($"{compared} values compared");
        Assert.True(problems.Length == 0, problems.ToString());
        Assert.True(compared > 15_000, $"only {compared} values compared");
    }

    private PrometheusClient Http => new(prometheus.Http, prometheus.Server.BaseUri);

    private QueryEngine Engine => new(new RemoteReadSource(new RemoteReadClient(prometheus.Http, prometheus.Server.BaseUri)));

    private Task<int> CompareInstantAsync(string query, DateTimeOffset time, StringBuilder problems) =>
        CompareInstantAsync(Http, Engine, query, time, problems);

    private Task<int> CompareRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, StringBuilder problems) =>
        CompareRangeAsync(Http, Engine, query, start, end, step, problems);

    /// <summary>Compares one instant query's answers; the number of values compared, problems appended.</summary>
    internal static async Task<int> CompareInstantAsync(PrometheusClient http, QueryEngine engine, string query, DateTimeOffset time, StringBuilder problems)
    {
        var theirs = await http.QueryAsync(query, time);
        var ours = await engine.InstantAsync(query, time.ToUnixTimeMilliseconds());
        var where = $"{query} at {time:HH:mm:ss}";
        if (theirs.ResultType == "scalar")
        {
            if (ours.Value is not ScalarResult scalar)
            {
                problems.AppendLine($"{where}: Prometheus answered a scalar, Headroom {ours.Value.GetType().Name}");
                return 0;
            }
            Check(where, theirs.Scalar!.Value.Value, scalar.Value, problems);
            return 1;
        }
        if (ours.Value is not VectorResult vector)
        {
            problems.AppendLine($"{where}: Prometheus answered a {theirs.ResultType}, Headroom {ours.Value.GetType().Name}");
            return 0;
        }
        var expected = theirs.Series.ToDictionary(s => Key(s.Labels), s => new[] { (s.Samples[0].TimestampMs, s.Samples[0].Value) });
        var actual = vector.Samples.ToDictionary(s => Key(s.Labels), s => new[] { (s.T, s.F) });
        return Compare(where, expected, actual, problems);
    }

    /// <summary>Compares one range query's answers; the number of values compared, problems appended.</summary>
    internal static async Task<int> CompareRangeAsync(PrometheusClient http, QueryEngine engine, string query, DateTimeOffset start, DateTimeOffset end,
        TimeSpan step, StringBuilder problems)
    {
        var theirs = await http.QueryRangeAsync(query, start, end, step);
        var ours = await engine.RangeAsync(query, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), (long)step.TotalMilliseconds);
        var where = $"{query} from {start:HH:mm:ss} to {end:HH:mm:ss}";
        if (ours.Value is not MatrixResult matrix)
        {
            problems.AppendLine($"{where}: Headroom answered {ours.Value.GetType().Name}");
            return 0;
        }
        var expected = theirs.Series.ToDictionary(s => Key(s.Labels), s => s.Samples.Select(p => (p.TimestampMs, p.Value)).ToArray());
        var actual = matrix.Series.ToDictionary(s => Key(s.Labels), s => s.Points.Select(p => (p.T, p.F)).ToArray());
        return Compare(where, expected, actual, problems);
    }

    private static int Compare(string where, Dictionary<string, (long T, double V)[]> expected, Dictionary<string, (long T, double V)[]> actual, StringBuilder problems)
    {
        var compared = 0;
        foreach (var missing in expected.Keys.Except(actual.Keys))
            problems.AppendLine($"{where}: Headroom lacks {missing}");
        foreach (var extra in actual.Keys.Except(expected.Keys))
            problems.AppendLine($"{where}: Headroom has extra {extra}");
        foreach (var (key, want) in expected)
        {
            if (!actual.TryGetValue(key, out var got))
                continue;
            if (!want.Select(p => p.T).SequenceEqual(got.Select(p => p.T)))
            {
                problems.AppendLine($"{where}: {key}: timestamps differ: Prometheus {want.Length} points, Headroom {got.Length}");
                continue;
            }
            for (var i = 0; i < want.Length; i++)
                Check($"{where}: {key} at {want[i].T}", want[i].V, got[i].V, problems);
            compared += want.Length;
        }
        return compared;
    }

    private static void Check(string where, double expected, double actual, StringBuilder problems)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual))
            return;
        if (expected.Equals(actual))
            return;
        // Relative tolerance; values that cancel to almost zero (deriv of a flat stretch) are compared absolutely.
        var scale = Math.Max(Math.Abs(expected), Math.Abs(actual));
        if (Math.Abs(expected - actual) <= Tolerance * scale || scale < 1e-12)
            return;
        problems.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{where}: Prometheus {expected:R}, Headroom {actual:R}"));
    }

    private static string Key(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    private static string Key(Labels labels) =>
        "{" + string.Join(", ", labels.Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";
}
