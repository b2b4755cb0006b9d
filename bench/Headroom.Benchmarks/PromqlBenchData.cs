using System.Globalization;
using System.Text;
using Headroom.PromQL;

namespace Headroom.Benchmarks;

/// <summary>
/// The data of the PromQL benchmarks: <c>series</c> request counters and as many classic-histogram bucket
/// series (a tenth as many histograms, ten buckets each), one sample every 15 s for one day, written series by
/// series. Samples sit 7 s past each 15 s slot so that no sample lies on the edge of a 5 m window at 5 m steps,
/// where Prometheus 2 (left-closed) and Prometheus 3 and Headroom (left-open) would differ.
/// </summary>
internal static class PromqlBenchData
{
    public const long Scrape = 15_000;
    public const long Step = 300_000;
    public const long Day = 86_400_000;

    /// <summary>The first sample slot: 2026-11-01T00:00:00Z (Prometheus keeps it within a long retention).</summary>
    public static readonly long Start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static readonly string[] Les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];

    /// <summary>The queries measured, each a range query over the whole day at a 5 m step.</summary>
    public static readonly (string Name, string Query)[] Queries =
    [
        ("rate", "rate(http_requests_total[5m])"),
        ("sum by", "sum by (job) (rate(http_requests_total[5m]))"),
        ("histogram_quantile", "histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))"),
        ("topk", "topk(5, rate(http_requests_total[5m]))"),
        ("binary op on matching", "rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])"),
        ("subquery", "max_over_time(rate(http_requests_total[5m])[1h:1m])"),
    ];

    /// <summary>Calls <paramref name="sample"/> for every sample, series after series, counters first.</summary>
    public static void Generate(int series, Action<Labels, long, double> sample)
    {
        var random = new Random(7);
        for (var i = 0; i < series; i++)
        {
            // Series 2k (code 200) and 2k+1 (code 500) differ only in code: one-to-one pairs for ignoring(code).
            var labels = Labels.Of("__name__", "http_requests_total", "job", "job-" + (i / 2 % 20), "instance", "host-" + (i / 40),
                "code", i % 2 == 0 ? "200" : "500", "path", "/p" + (i / 2 % 7));
            double value = 0;
            var perScrape = 1 + random.NextDouble() * 10;
            for (var t = Start + 7_000; t < Start + Day; t += Scrape)
            {
                value += perScrape * random.NextDouble();
                sample(labels, t, value);
            }
        }
        var slots = (int)(Day / Scrape);
        for (var h = 0; h < series / Les.Length; h++)
        {
            var counts = new double[slots, Les.Length];
            var running = new double[Les.Length];
            for (var k = 0; k < slots; k++)
            {
                var observations = random.Next(0, 20);
                for (var o = 0; o < observations; o++)
                {
                    var bucket = Math.Min(Les.Length - 1, (int)(-Math.Log(1 - random.NextDouble()) * 3));
                    for (var b = bucket; b < Les.Length; b++)
                        running[b]++;
                }
                for (var b = 0; b < Les.Length; b++)
                    counts[k, b] = running[b];
            }
            for (var b = 0; b < Les.Length; b++)
            {
                var labels = Labels.Of("__name__", "request_duration_seconds_bucket", "job", "job-" + (h % 20), "instance", "host-" + h, "le", Les[b]);
                for (var k = 0; k < slots; k++)
                    sample(labels, Start + 7_000 + k * Scrape, counts[k, b]);
            }
        }
    }

    /// <summary>
    /// Writes the data as OpenMetrics with timestamps (for <c>promtool tsdb create-blocks-from openmetrics</c>),
    /// handing every sample to <paramref name="also"/> too when given (to fill an in-memory copy in the same pass).
    /// </summary>
    public static void WriteOpenMetrics(int series, TextWriter writer, Action<Labels, long, double>? also = null)
    {
        string? family = null;
        var line = new StringBuilder();
        Generate(series, (labels, t, value) =>
        {
            also?.Invoke(labels, t, value);
            var name = labels.Name;
            if (name != family)
            {
                family = name;
                writer.Write(name == "http_requests_total" ? "# TYPE http_requests counter\n" : "# TYPE request_duration_seconds histogram\n");
            }
            line.Clear().Append(name).Append('{');
            var first = true;
            foreach (var label in labels.WithoutName())
            {
                line.Append(first ? "" : ",").Append(label.Name).Append("=\"").Append(label.Value).Append('"');
                first = false;
            }
            line.Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                .Append((t / 1000.0).ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
            writer.Write(line);
        });
        writer.Write("# EOF\n");
    }
}
