using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Pushdown;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.Benchmarks;

/// <summary>
/// The gateway's own CPU, layer by layer, with no Prometheus running: the data of bench/promql.sh split over 4 shards ×
/// 2 complete replicas, each replica's streamed remote read answers and pushed query_range answers prepared once and
/// served from memory by an <see cref="HttpMessageHandler"/> (what a real replica sends: XOR chunks, JSON). Every
/// layer of the real gateway code runs (ReplicaBackend, ShardSource, FederatedSource, the engine, the JSON writer,
/// Kestrel), and the process' CPU seconds per run are what it costs; on a loaded machine CPU time moves far less than
/// wall-clock time. <c>gateway-cpu [series (1000)] [runs (10)]</c>.
/// </summary>
internal static class GatewayCpu
{
    private const int Shards = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var seriesCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var only = args.Length > 2 ? args[2] : null;
        var replicas = new Replicas(seriesCount);
        var handler = new Backend(replicas);
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
        var config = GatewayConfig.For([.. Enumerable.Range(0, Shards).Select(s => new ShardConfig($"shard-{s}",
            [new Uri($"http://replica-{s}-a.test/"), new Uri($"http://replica-{s}-b.test/")], Labels.Empty))]) with
        { Pushdown = true };
        var gateway = new Gateway.Gateway(config, http, new GatewayMetrics());
        await using var server = await GatewayServer.StartAsync(gateway, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)), http);
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var endpoint = new Uri(server.BaseUri, "api/v1/query_range");
        var (start, end, step) = (GatewayMacro.Bench.Start, GatewayMacro.Bench.End, PromqlBenchData.Step);
        var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) };
        Console.WriteLine($"{seriesCount:N0} counters and {seriesCount:N0} bucket series over {Shards} shards × 2 complete replicas, served from memory; CPU seconds of this process per run (median wall-clock in brackets), {runs} runs after a warm-up.");
        Console.WriteLine();

        if (only is null or "rate")
        {
            const string rate = "rate(http_requests_total[5m])";
            var matchers = new[] { new LabelMatcher(LabelMatchType.Equal, Labels.MetricName, "http_requests_total") };
            var (minT, maxT) = (start - 300_000, end);
            var backends = gateway.Shards.SelectMany(static s => ((ShardSource)s).Replicas).ToArray();
            var cells = new List<string>
            {
                Cell(await Cpu(runs, () => Task.WhenAll(backends.Select(r => Drain(r, matchers, minT, maxT))))),
                Cell(await Cpu(runs, () => Task.WhenAll(gateway.Shards.Select(s => Drain(s, matchers, minT, maxT))))),
                Cell(await Cpu(runs, () => Drain(gateway.Federation, matchers, minT, maxT))),
                Cell(await Cpu(runs, () => new QueryEngine(gateway.Federation, options).RangeAsync(rate, start, end, step))),
                Cell(await Cpu(runs, async () => Write(await new QueryEngine(gateway.Federation, options).RangeAsync(rate, start, end, step)))),
                Cell(await Cpu(runs, () => Post(client, endpoint, rate, pushdown: false))),
            };
            Console.WriteLine($"`{rate}` without pushdown:");
            Console.WriteLine();
            Console.WriteLine("| 8 replicas read (remote read decoded) | 4 shards (+ replica dedup) | federation (+ shard merge) | engine over the federation | engine + JSON answer written | gateway over HTTP |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {string.Join(" | ", cells)} |");
            Console.WriteLine();
        }

        if (only is "read")
        {
            // Only the replicas' reads (remote read decoded into series), many runs: the steadiest view of reading.
            var matchers = new[] { new LabelMatcher(LabelMatchType.Equal, Labels.MetricName, "http_requests_total") };
            var backends = gateway.Shards.SelectMany(static s => ((ShardSource)s).Replicas).ToArray();
            Console.WriteLine($"| 8 replicas read | {Cell(await Cpu(runs, () => Task.WhenAll(backends.Select(r => Drain(r, matchers, start - 300_000, end)))))} |");
        }

        if (only is null or "write")
        {
            // The JSON writer alone, on answers computed once: the steadiest of these numbers.
            Console.WriteLine("The answer written as JSON alone (QueryResponseWriter, into a MemoryStream):");
            Console.WriteLine();
            Console.WriteLine("| query | values | CPU per write |");
            Console.WriteLine("|---|---:|---:|");
            foreach (var (name, query) in PromqlBenchData.Queries.Where(static q => q.Name is "rate" or "histogram_quantile"))
            {
                var result = await new QueryEngine(gateway.Federation, options).RangeAsync(query, start, end, step);
                var values = ((MatrixResult)result.Value).Series.Sum(static s => s.Points.Length);
                Console.WriteLine($"| {name} | {values:N0} | {Cell(await Cpu(4 * runs, () => { Write(result); return Task.CompletedTask; }))} |");
            }
            Console.WriteLine();
        }

        if (only is null or "pushed")
        {
            Console.WriteLine("With pushdown:");
            Console.WriteLine();
            Console.WriteLine("| query | backend calls (4 answers parsed) | engine with pushdown | engine + JSON answer written | gateway over HTTP |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, query) in PromqlBenchData.Queries.Where(static q => q.Name is "sum by" or "histogram_quantile" or "topk"))
            {
                var rewriterFor = () => new PushdownRewriter(gateway.Federation, [], config.ReplicaLabels, gateway.Metrics, options);
                var probe = rewriterFor();
                await new QueryEngine(gateway.Federation, options, probe).RangeAsync(query, start, end, step);
                var pushed = probe.Pushed;
                var shardReplicas = gateway.Shards.Select(static s => (ReplicaBackend)((ShardSource)s).Replicas[0]).ToArray();
                var cells = new List<string>
                {
                    Cell(await Cpu(runs, () => Task.WhenAll(shardReplicas.SelectMany(r => pushed.Select(p => r.QueryRangeAsync(p, start, end, step, new SourceWarnings(), CancellationToken.None)))))),
                    Cell(await Cpu(runs, () => new QueryEngine(gateway.Federation, options, rewriterFor()).RangeAsync(query, start, end, step))),
                    Cell(await Cpu(runs, async () => Write(await new QueryEngine(gateway.Federation, options, rewriterFor()).RangeAsync(query, start, end, step)))),
                    Cell(await Cpu(runs, () => Post(client, endpoint, query, pushdown: true))),
                };
                Console.WriteLine($"| {name} | {string.Join(" | ", cells)} |");
            }
            Console.WriteLine();
        }
        return 0;
    }

    private static async Task Drain(ISeriesSource source, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        await foreach (var _ in source.SelectAsync(matchers, minT, maxT, new SelectHints(), new SourceWarnings()))
        {
        }
    }

    private static void Write(QueryResult result)
    {
        using var buffer = new MemoryStream();
        QueryResponseWriter.Write(buffer, result);
    }

    private static async Task Post(HttpClient client, Uri endpoint, string query, bool pushdown)
    {
        var form = GatewayMacro.Bench.Form(query) + (pushdown ? "" : "&pushdown=false");
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync(endpoint, content);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
    }

    private static string Cell((double Cpu, double Wall, double Gen2, double Pause) t) =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Cpu:F3} s ({t.Wall:F3} s; {t.Gen2:F1} gen2, {t.Pause:F3} s paused)");

    /// <summary>
    /// CPU seconds of this process per run (garbage collection included), the median wall-clock seconds, and per run the
    /// full (gen2) collections and the time the garbage collector paused the process.
    /// </summary>
    private static async Task<(double Cpu, double Wall, double Gen2, double Pause)> Cpu(int runs, Func<Task> action)
    {
        // Three warm-ups: tiered compilation settles before the runs counted.
        for (var i = 0; i < 3; i++)
            await action();
        GC.Collect();
        var walls = new double[runs];
        var before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var (gen2, pause) = (GC.CollectionCount(2), GC.GetTotalPauseDuration());
        for (var i = 0; i < runs; i++)
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            await action();
            walls[i] = stopwatch.Elapsed.TotalSeconds;
        }
        var cpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds / runs;
        return (cpu, GatewayMacro.Median(walls), (GC.CollectionCount(2) - gen2) / (double)runs, (GC.GetTotalPauseDuration() - pause).TotalSeconds / runs);
    }

    /// <summary>Each shard's series in memory (without replica labels), split by the hash of job and instance.</summary>
    private sealed class Replicas
    {
        public Replicas(int series)
        {
            var points = new Dictionary<Labels, List<FloatPoint>>();
            PromqlBenchData.Generate(series, (labels, t, value) =>
            {
                if (!points.TryGetValue(labels, out var list))
                    points[labels] = list = [];
                list.Add(new FloatPoint(t, value));
            });
            Stores = [.. Enumerable.Range(0, Shards).Select(_ => new InMemoryStorage())];
            foreach (var (labels, list) in points)
            {
                var shard = (int)(Labels.Of("job", labels.Get("job"), "instance", labels.Get("instance")).Hash % Shards);
                foreach (var point in list)
                    Stores[shard].Append(labels, point.T, point.F);
            }
        }

        public InMemoryStorage[] Stores { get; }

        private readonly ConcurrentDictionary<(int Shard, string Replica, string Name), byte[]> _reads = new();
        private readonly ConcurrentDictionary<(int Shard, string Query), byte[]> _answers = new();

        /// <summary>A replica's streamed remote read answer for one metric name: the whole day, as a replica holds it.</summary>
        public byte[] Read(int shard, string replica, string name) => _reads.GetOrAdd((shard, replica, name), key =>
        {
            var series = Stores[key.Shard].Select([new LabelMatcher(LabelMatchType.Equal, Labels.MetricName, key.Name)], long.MinValue, long.MaxValue)
                .Select(s => new Series(s.Labels.With("replica", key.Replica), s.Points))
                .OrderBy(static s => s.Labels, Comparer<Labels>.Create(Labels.Compare)).ToList();
            using var output = new MemoryStream();
            RemoteReadServerCodec.WriteStreamedQueryAsync(output, 0, series.ToAsyncEnumerable()).GetAwaiter().GetResult();
            return output.ToArray();
        });

        /// <summary>A shard's query_range answer to a pushed query, as Prometheus writes it.</summary>
        public byte[] Answer(int shard, string query, long start, long end, long step) => _answers.GetOrAdd((shard, query), key =>
        {
            var result = new QueryEngine(Stores[key.Shard]).RangeAsync(key.Query, start, end, step).GetAwaiter().GetResult();
            using var output = new MemoryStream();
            QueryResponseWriter.Write(output, result);
            return output.ToArray();
        });
    }

    /// <summary>The replicas' HTTP API, from memory: remote read, query_range, and the configuration (external labels).</summary>
    private sealed class Backend(Replicas replicas) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // replica-{shard}-{a|b}.test
            var host = request.RequestUri!.Host;
            var shard = host[8] - '0';
            var replica = host[10].ToString();
            var path = request.RequestUri.AbsolutePath;
            if (path.EndsWith("/api/v1/status/config", StringComparison.Ordinal))
                return Json(Encoding.UTF8.GetBytes("{\"status\":\"success\",\"data\":{\"yaml\":\"global:\\n  external_labels:\\n    replica: " + replica + "\\n\"}}"));
            if (path.EndsWith("/api/v1/read", StringComparison.Ordinal))
            {
                var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
                var query = RemoteReadServerCodec.DecodeRequest(body).Queries[0];
                var name = query.Matchers.First(static m => m.Name == Labels.MetricName).Value;
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(replicas.Read(shard, replica, name)) };
                response.Content.Headers.TryAddWithoutValidation("Content-Type", RemoteReadServerCodec.StreamedContentType);
                return response;
            }
            if (path.EndsWith("/api/v1/query_range", StringComparison.Ordinal))
            {
                var form = (await request.Content!.ReadAsStringAsync(cancellationToken)).Split('&')
                    .Select(static p => p.Split('=', 2)).ToDictionary(static p => p[0], static p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
                long Ms(string key) => (long)Math.Round(double.Parse(form[key], CultureInfo.InvariantCulture) * 1000);
                return Json(replicas.Answer(shard, form["query"], Ms("start"), Ms("end"), Ms("step")));
            }
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        private static HttpResponseMessage Json(byte[] body)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
            response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            return response;
        }
    }
}
