using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// Headroom's PromQL engine against a real Prometheus on the same data: <c>promql [SERIES] [RUNS]</c> writes
/// <see cref="PromqlBenchData"/> as OpenMetrics, backfills it with promtool, starts Prometheus on it, and times
/// each query of <see cref="PromqlBenchData.Queries"/> (a day at a 5 m step) three ways: Prometheus'
/// <c>/api/v1/query_range</c> (answer read whole), Headroom's engine over the same data in memory, and Headroom's
/// engine over remote read from that Prometheus, SAMPLES and streamed XOR chunks. Prometheus and the engine in memory
/// run in turn, run by run, so that both share the machine's load; prints the median of RUNS runs after one warm-up
/// with the spread (fastest–slowest), the engine's allocations per query, and ratios. <c>--engine-only</c> leaves
/// remote read out; <c>--blocks DIR</c> keeps the backfilled blocks to reuse (before and after a change, say).
/// </summary>
internal static class PromqlMacro
{
    public static async Task<int> RunAsync(string[] args)
    {
        var positional = new List<string>();
        var engineOnly = false;
        string? blocksDirectory = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--engine-only")
                engineOnly = true;
            else if (args[i] == "--blocks" && i + 1 < args.Length)
                blocksDirectory = Path.GetFullPath(args[++i]);
            else if (!args[i].StartsWith("--", StringComparison.Ordinal))
                positional.Add(args[i]);
            else
            {
                Console.Error.WriteLine("usage: promql [SERIES (default 1000)] [RUNS (default 3)] [--engine-only] [--blocks DIR]");
                Console.Error.WriteLine("  --engine-only  time Prometheus and the engine in memory only (no remote read)");
                Console.Error.WriteLine("  --blocks DIR   keep the backfilled TSDB in DIR and reuse it when it is already there");
                return 2;
            }
        }
        var series = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 1000;
        var runs = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 3;
        var work = Directory.CreateTempSubdirectory("headroom-bench-promql-");
        try
        {
            Console.Error.WriteLine($"load average before: {LoadAverage()}");
            var stopwatch = Stopwatch.StartNew();
            var storage = new InMemoryStorage();
            var tsdb = blocksDirectory ?? Path.Combine(work.FullName, "tsdb");
            if (blocksDirectory is not null && Directory.Exists(blocksDirectory) && Directory.EnumerateDirectories(blocksDirectory).Any())
            {
                PromqlBenchData.Generate(series, storage.Append);
                Console.Error.WriteLine($"data: {series} counters + {series} histogram buckets x 1 day at 15 s, blocks reused from {blocksDirectory}");
            }
            else
            {
                var input = Path.Combine(work.FullName, "data.om");
                await using (var writer = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20))
                    PromqlBenchData.WriteOpenMetrics(series, writer, storage.Append);
                var blocks = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
                if (!blocks.Succeeded)
                    throw new InvalidOperationException("promtool: " + blocks.StandardError);
                File.Delete(input);
                Console.Error.WriteLine($"data: {series} counters + {series} histogram buckets x 1 day at 15 s, backfilled in {stopwatch.Elapsed.TotalSeconds:F0} s");
            }

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

            if (!engineOnly)
            {
                // Where remote read's time goes: reading the day of the 1,000 counter series alone, without the engine.
                var counters = new RemoteReadQuery([new LabelMatcher(LabelMatchType.Equal, "__name__", "http_requests_total")], start - 300_000, end);
                foreach (var type in new[] { RemoteReadResponseType.Samples, RemoteReadResponseType.StreamedXorChunks })
                {
                    var client = new RemoteReadClient(http, prometheus.BaseUri, type);
                    var read = await MedianAsync(runs, () => client.ReadAsync([counters]));
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read http_requests_total for the day as {type}: {read:F3} s"));
                }
            }

            Console.WriteLine(engineOnly
                ? "| query | Prometheus HTTP | Prometheus innerEvalTime (min–max) | Headroom in memory (min–max) | ÷ HTTP | ÷ innerEvalTime (min–max) | allocated per query |"
                : "| query | Prometheus HTTP | Prometheus innerEvalTime (min–max) | Headroom in memory (min–max) | ÷ HTTP | ÷ innerEvalTime (min–max) | allocated per query | remote read, SAMPLES | ÷ HTTP | remote read, streamed chunks | ÷ HTTP |");
            Console.WriteLine(engineOnly ? "|---|---:|---:|---:|---:|---:|---:|" : "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (name, query) in PromqlBenchData.Queries)
            {
                // stats=all adds Prometheus' own timings to the answer: innerEvalTime is its evaluation, storage reads included.
                var form = $"query={Uri.EscapeDataString(query)}&start={start / 1000.0}&end={end / 1000.0}&step={PromqlBenchData.Step / 1000}&stats=all";
                async Task<(double Wall, double Inner)> Prometheus()
                {
                    var clock = Stopwatch.StartNew();
                    using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
                    using var response = await http.PostAsync(new Uri(prometheus.BaseUri, "api/v1/query_range"), content);
                    var body = await response.Content.ReadAsStringAsync();
                    if (!response.IsSuccessStatusCode)
                        throw new InvalidOperationException($"{query}: {body}");
                    var wall = clock.Elapsed.TotalSeconds;
                    using var json = JsonDocument.Parse(body);
                    return (wall, json.RootElement.GetProperty("data").GetProperty("stats").GetProperty("timings").GetProperty("innerEvalTime").GetDouble());
                }
                async Task<(double Wall, long Allocated)> Headroom()
                {
                    var allocated = GC.GetTotalAllocatedBytes(precise: true);
                    var clock = Stopwatch.StartNew();
                    await inMemory.RangeAsync(query, start, end, PromqlBenchData.Step);
                    var wall = clock.Elapsed.TotalSeconds;
                    return (wall, GC.GetTotalAllocatedBytes(precise: true) - allocated);
                }
                // One warm-up each, then Prometheus and the engine run by run, so that both share the machine's load.
                await Prometheus();
                await Headroom();
                var http_ = new double[runs];
                var inner = new double[runs];
                var memory = new double[runs];
                var ratio = new double[runs];
                var allocations = new long[runs];
                for (var i = 0; i < runs; i++)
                {
                    (http_[i], inner[i]) = await Prometheus();
                    (memory[i], allocations[i]) = await Headroom();
                    ratio[i] = memory[i] / inner[i];
                }
                var theirs = Median(http_);
                var theirInner = Median(inner);
                var ours = Median(memory);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {theirs:F3} s | {theirInner:F3} s ({inner.Min():F3}–{inner.Max():F3}) | {ours:F3} s ({memory.Min():F3}–{memory.Max():F3}) | {ours / theirs:F2} | {ours / theirInner:F2} ({ratio.Min():F2}–{ratio.Max():F2}) | {Median(allocations.Select(a => a / 1048576.0).ToArray()):F1} MiB |");
                if (!engineOnly)
                {
                    var overSamples = await MedianAsync(runs, () => samples.RangeAsync(query, start, end, PromqlBenchData.Step));
                    var overStreamed = await MedianAsync(runs, () => streamed.RangeAsync(query, start, end, PromqlBenchData.Step));
                    line += string.Create(CultureInfo.InvariantCulture, $" {overSamples:F3} s | {overSamples / theirs:F2} | {overStreamed:F3} s | {overStreamed / theirs:F2} |");
                }
                Console.WriteLine(line);
            }
            Console.Error.WriteLine($"load average after: {LoadAverage()}");
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The median wall time of <paramref name="runs"/> runs of <paramref name="action"/>, after one warm-up.</summary>
    internal static async Task<double> MedianAsync(int runs, Func<Task> action, bool warmUp = true)
    {
        if (warmUp)
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
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
