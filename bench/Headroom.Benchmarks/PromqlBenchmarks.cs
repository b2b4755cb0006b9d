using BenchmarkDotNet.Attributes;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Benchmarks;

/// <summary>
/// The PromQL engine over in-memory storage: range queries across one day at a 5 m step over
/// <see cref="Series"/> counter series and as many classic-histogram bucket series, one sample every 15 s
/// (5,760 per series; 57.6 million per metric at 10,000 series). Each query reads every sample of the day.
/// </summary>
[MemoryDiagnoser]
public class PromqlBenchmarks
{
    private const long Day = 86_400_000;
    private const long Scrape = 15_000;
    private const long Step = 300_000;
    private static readonly string[] Les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];

    private QueryEngine _engine = null!;

    /// <summary>Series per metric: counters, and histogram buckets (a tenth as many histograms, ten buckets each).</summary>
    [Params(10_000)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var storage = new InMemoryStorage();
        var random = new Random(7);
        for (var i = 0; i < Series; i++)
        {
            var labels = Labels.Of("__name__", "http_requests_total", "job", "job-" + (i / 2 % 20), "instance", "host-" + (i / 40),
                "code", i % 2 == 0 ? "200" : "500", "path", "/p" + (i / 2 % 7));
            double value = 0;
            var perScrape = 1 + random.NextDouble() * 10;
            for (long t = 0; t < Day; t += Scrape)
            {
                value += perScrape * random.NextDouble();
                storage.Append(labels, t, value);
            }
        }
        for (var h = 0; h < Series / Les.Length; h++)
        {
            var counts = new double[Les.Length];
            var rows = new List<Labels>();
            foreach (var le in Les)
                rows.Add(Labels.Of("__name__", "request_duration_seconds_bucket", "job", "job-" + (h % 20), "instance", "host-" + h, "le", le));
            for (long t = 0; t < Day; t += Scrape)
            {
                var observations = random.Next(0, 20);
                for (var o = 0; o < observations; o++)
                {
                    var bucket = Math.Min(Les.Length - 1, (int)(-Math.Log(1 - random.NextDouble()) * 3));
                    for (var b = bucket; b < Les.Length; b++)
                        counts[b]++;
                }
                for (var b = 0; b < Les.Length; b++)
                    storage.Append(rows[b], t, counts[b]);
            }
        }
        _engine = new QueryEngine(storage, new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) });
    }

    private QueryResult Run(string query) => _engine.RangeAsync(query, Step, Day - Scrape, Step).GetAwaiter().GetResult();

    [Benchmark]
    public QueryResult Rate() => Run("rate(http_requests_total[5m])");

    [Benchmark]
    public QueryResult SumByRate() => Run("sum by (job) (rate(http_requests_total[5m]))");

    [Benchmark]
    public QueryResult HistogramQuantile() => Run("histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))");

    [Benchmark]
    public QueryResult TopK() => Run("topk(5, rate(http_requests_total[5m]))");

    [Benchmark]
    public QueryResult BinaryOnMatching() =>
        Run("rate(http_requests_total{code=\"500\"}[5m]) / ignoring(code) rate(http_requests_total{code=\"200\"}[5m])");

    [Benchmark]
    public QueryResult Subquery() => Run("max_over_time(rate(http_requests_total[5m])[1h:1m])");
}
