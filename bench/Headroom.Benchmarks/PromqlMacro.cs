using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Headroom.Servers;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Benchmarks;

/// <summary>
/// Headroom's PromQL engine against a real Prometheus on the same data: <c>promql [SERIES] [RUNS]</c> writes
/// <see cref="PromqlBenchData"/> as OpenMetrics, backfills it with promtool, starts Prometheus on it, and times
/// each query of <see cref="PromqlBenchData.Queries"/> (a day at a 5 m step) three ways: Prometheus'
/// <c>/api/v1/query_range</c> (answer read whole), Headroom's engine over the same data in memory, and Headroom's
/// engine over remote read from that Prometheus, SAMPLES and streamed XOR chunks. Prints the median of RUNS runs after
/// one warm-up, and ratios.
/// </summary>
internal static class PromqlMacro
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "--help")
        {
            Console.Error.WriteLine("usage: promql [SERIES (default 1000)] [RUNS (default 3)]");
            return 2;
        }
        var series = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var work = Directory.CreateTempSubdirectory("headroom-bench-promql-");
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var input = Path.Combine(work.FullName, "data.om");
            var storage = new InMemoryStorage();
            await using (var writer = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20))
                PromqlBenchData.WriteOpenMetrics(series, writer, storage.Append);
            var tsdb = Path.Combine(work.FullName, "tsdb");
            var blocks = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
            if (!blocks.Succeeded)
                throw new InvalidOperationException("promtool: " + blocks.StandardError);
            File.Delete(input);
            Console.Error.WriteLine($"data: {series} counters + {series} histogram buckets x 1 day at 15 s, backfilled in {stopwatch.Elapsed.TotalSeconds:F0} s");

            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                DataDirectory = tsdb,
                Retention = "3650d",
                ScrapeSelf = false,
                ExtraArguments = ["--query.max-samples=500000000", "--storage.remote.read-sample-limit=0", "--query.timeout=10m"],
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) };
            var inMemory = new QueryEngine(storage, options);
            // SAMPLES is how remote read was read before streaming; both run so that before and after share the machine's load.
            var samples = new QueryEngine(new RemoteReadSource(new RemoteReadClient(http, prometheus.BaseUri, RemoteReadResponseType.Samples)), options);
            var streamed = new QueryEngine(new RemoteReadSource(new RemoteReadClient(http, prometheus.BaseUri)), options);
            var start = PromqlBenchData.Start + PromqlBenchData.Step;
            var end = PromqlBenchData.Start + PromqlBenchData.Day - PromqlBenchData.Scrape;

            // Where remote read's time goes: reading the day of the 1,000 counter series alone, without the engine.
            var counters = new RemoteReadQuery([new LabelMatcher(LabelMatchType.Equal, "__name__", "http_requests_total")], start - 300_000, end);
            foreach (var type in new[] { RemoteReadResponseType.Samples, RemoteReadResponseType.StreamedXorChunks })
            {
                var client = new RemoteReadClient(http, prometheus.BaseUri, type);
                var read = await MedianAsync(runs, () => client.ReadAsync([counters]));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read http_requests_total for the day as {type}: {read:F3} s"));
            }

            Console.WriteLine("| query | Prometheus HTTP | Prometheus innerEvalTime | Headroom in memory | ÷ HTTP | ÷ innerEvalTime | remote read, SAMPLES | ÷ HTTP | remote read, streamed chunks | ÷ HTTP |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, query) in PromqlBenchData.Queries)
            {
                // stats=all adds Prometheus' own timings to the answer: innerEvalTime is its evaluation, storage reads included.
                var form = $"query={Uri.EscapeDataString(query)}&start={start / 1000.0}&end={end / 1000.0}&step={PromqlBenchData.Step / 1000}&stats=all";
                var inner = new List<double>();
                var theirs = await MedianAsync(runs, async () =>
                {
                    using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
                    using var response = await http.PostAsync(new Uri(prometheus.BaseUri, "api/v1/query_range"), content);
                    var body = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                        throw new InvalidOperationException($"{query}: {body}");
                    using var json = JsonDocument.Parse(body);
                    inner.Add(json.RootElement.GetProperty("data").GetProperty("stats").GetProperty("timings").GetProperty("innerEvalTime").GetDouble());
                });
                // The first (warm-up) answer's timing is dropped like its wall time.
                var theirInner = Median(inner.Skip(1).ToArray());
                var memory = await MedianAsync(runs, () => inMemory.RangeAsync(query, start, end, PromqlBenchData.Step));
                var overSamples = await MedianAsync(runs, () => samples.RangeAsync(query, start, end, PromqlBenchData.Step));
                var overStreamed = await MedianAsync(runs, () => streamed.RangeAsync(query, start, end, PromqlBenchData.Step));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {theirs:F3} s | {theirInner:F3} s | {memory:F3} s | {memory / theirs:F2} | {memory / theirInner:F2} | {overSamples:F3} s | {overSamples / theirs:F2} | {overStreamed:F3} s | {overStreamed / theirs:F2} |"));
            }
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The median wall time of <paramref name="runs"/> runs of <paramref name="action"/>, after one warm-up.</summary>
    internal static async Task<double> MedianAsync(int runs, Func<Task> action)
    {
        await action();
        var seconds = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await action();
            seconds[i] = stopwatch.Elapsed.TotalSeconds;
        }
        return Median(seconds);
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
