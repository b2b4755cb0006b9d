using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Federation;
using Headroom.Gateway.Pushdown;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// A pushed query's time, layer by layer: the pushed text sent to one replica of every shard at once as the benchmark's
/// client asks (no compression), the same asked as the gateway asks (accepting gzip), the gateway's own backend call
/// (the answer parsed into series), the gateway's engine with pushdown in process (no HTTP or JSON answer), and the
/// gateway over HTTP. The differences between neighbouring columns say where a pushed query's time goes.
/// </summary>
internal static class GatewayPushedLayers
{
    public static async Task RunAsync(GatewayMacro.Bench bench, GatewayServer gateway, PrometheusTopology topology, int runs,
        IReadOnlyList<GatewayMacro.Measured> measured, int directPid, int? gatewayPid)
    {
        var (start, end, step) = (GatewayMacro.Bench.Start, GatewayMacro.Bench.End, PromqlBenchData.Step);
        using var gzip = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip }) { Timeout = TimeSpan.FromMinutes(10) };
        var current = gateway.Current;
        var replicas = current.Shards.Select(static s => (ReplicaBackend)((ShardSource)s).Replicas[0]).ToArray();
        // The shards' window edges, as the gateway's own requests use them.
        var edge = (await current.SemanticsAsync(CancellationToken.None)).LeftEdge;
        var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10), LeftEdge = edge };
        var prometheus = topology.Replicas.Select(static r => r.ProcessId ?? 0).Where(static p => p > 0).ToArray();
        int[] direct = [directPid];
        int[] gatewayProcess = gatewayPid is { } pid ? [pid] : [];
        Console.WriteLine("Each cell: wall-clock median, then in brackets the CPU seconds per run of this process (the client, and the gateway when it runs in process) + of the shards' Prometheus processes + of the one other process the cell names (the gateway's own process, or the direct Prometheus).");
        Console.WriteLine();
        Console.WriteLine($"A pushed query's layers, median of {runs} after a warm-up:");
        Console.WriteLine();
        Console.WriteLine("| query | pushed text, one replica of each shard, plain | answer size | the same accepting gzip | the gateway's backend call (JSON parsed) | gateway engine with pushdown, in process | gateway, pushdown, HTTP (+ gateway process) | gateway, no pushdown, HTTP (+ gateway process) | pushed text on the one Prometheus (+ direct) | direct (+ direct) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in measured)
        {
            var form = GatewayMacro.Bench.Form(m.Query);
            var columns = new List<string>();
            if (m.Pushed.Count > 0)
            {
                var forms = m.Pushed.Select(GatewayMacro.Bench.Form).ToArray();
                long bytes = 0;
                // Plain and gzip interleaved run by run: the difference is the shards' compression.
                var (plain, zipped) = await TimedPair(runs, prometheus, async () =>
                {
                    var bodies = await Task.WhenAll(topology.Shards.SelectMany(s => forms.Select(f => bench.PostAsync(new Uri(s.Replicas[0].BaseUri, "api/v1/query_range"), f))));
                    bytes = bodies.Sum(static b => (long)Encoding.UTF8.GetByteCount(b));
                }, () => Task.WhenAll(topology.Shards.SelectMany(s => forms.Select(async f =>
                {
                    using var content = new StringContent(f, Encoding.UTF8, "application/x-www-form-urlencoded");
                    using var response = await gzip.PostAsync(new Uri(s.Replicas[0].BaseUri, "api/v1/query_range"), content);
                    return await response.Content.ReadAsStringAsync();
                }))));
                var parsed = await Timed(runs, prometheus, () => Task.WhenAll(replicas.SelectMany(r => m.Pushed.Select(p =>
                    r.QueryRangeAsync(p, start, end, step, new SourceWarnings(), CancellationToken.None)))));
                columns.Add(Seconds(plain));
                columns.Add(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F1} MB"));
                columns.Add(Seconds(zipped));
                columns.Add(Seconds(parsed));
            }
            else
            {
                columns.AddRange(["—", "—", "—", "—"]);
            }
            // The pushed text evaluated by the one Prometheus over all the data: its CPU against the shards' for the
            // same text says what splitting the evaluation four ways costs in all.
            (double, double, double, double?)? pushedOnDirect = m.Pushed.Count == 0 ? null : await Timed(runs, prometheus,
                () => Task.WhenAll(m.Pushed.Select(p => bench.PostAsync(bench.Direct, GatewayMacro.Bench.Form(p)))), direct);
            var inProcess = await Timed(runs, prometheus, () =>
            {
                var rewriter = new PushdownRewriter(current.Federation, [], current.Config.ReplicaLabels, current.Metrics, options);
                return new QueryEngine(current.Federation, options, rewriter).RangeAsync(m.Query, start, end, step);
            });
            columns.Add(Seconds(inProcess));
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Gateway, form), gatewayProcess)));
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Gateway, form + "&pushdown=false"), gatewayProcess)));
            columns.Add(pushedOnDirect is { } onDirect ? Seconds(onDirect) : "—");
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Direct, form), direct)));
            Console.WriteLine($"| {m.Name} | {string.Join(" | ", columns)} |");
        }
    }

    /// <summary>
    /// <c>rate(http_requests_total[5m])</c> without pushdown, layer by layer: every replica read at once (streamed remote
    /// read decoded into arrays), every shard at once (the same plus replica dedup), the federation (plus the merge
    /// of shards), the engine over it in process, and the gateway over HTTP.
    /// </summary>
    public static async Task RateAsync(GatewayMacro.Bench bench, GatewayServer gateway, PrometheusTopology topology, int runs)
    {
        var prometheus = topology.Replicas.Select(static r => r.ProcessId ?? 0).Where(static p => p > 0).ToArray();
        var (start, end, step) = (GatewayMacro.Bench.Start, GatewayMacro.Bench.End, PromqlBenchData.Step);
        var current = gateway.Current;
        var matchers = new[] { new Headroom.PromQL.Syntax.LabelMatcher(Headroom.PromQL.Syntax.LabelMatchType.Equal, "__name__", "http_requests_total") };
        var (minT, maxT) = (start - 300_000, end);
        var replicas = current.Shards.SelectMany(static s => ((ShardSource)s).Replicas).ToArray();
        var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) };
        const string query = "rate(http_requests_total[5m])";
        var form = GatewayMacro.Bench.Form(query);
        var readReplicas = await Timed(runs, prometheus, () => Task.WhenAll(replicas.Select(r => Drain(r, matchers, minT, maxT))));
        var readShards = await Timed(runs, prometheus, () => Task.WhenAll(current.Shards.Select(s => Drain(s, matchers, minT, maxT))));
        var readFederation = await Timed(runs, prometheus, () => Drain(current.Federation, matchers, minT, maxT));
        var engine = await Timed(runs, prometheus, () => new QueryEngine(current.Federation, options).RangeAsync(query, start, end, step));
        var http = await Timed(runs, prometheus, () => bench.PostAsync(bench.Gateway, form + "&pushdown=false"));
        var direct = await Timed(runs, prometheus, () => bench.PostAsync(bench.Direct, form));
        Console.WriteLine($"`{query}` without pushdown, layer by layer, median of {runs} after a warm-up:");
        Console.WriteLine();
        Console.WriteLine("| all 8 replicas read at once | all shards at once (+ replica dedup) | the federation (+ shard merge) | engine over the federation | gateway, HTTP | direct |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {Seconds(readReplicas)} | {Seconds(readShards)} | {Seconds(readFederation)} | {Seconds(engine)} | {Seconds(http)} | {Seconds(direct)} |");

        static async Task Drain(ISeriesSource source, IReadOnlyList<Headroom.PromQL.Syntax.LabelMatcher> matchers, long minT, long maxT)
        {
            await foreach (var _ in source.SelectAsync(matchers, minT, maxT, new SelectHints(), new SourceWarnings()))
            {
            }
        }
    }

    private static string Seconds(double s) => string.Create(CultureInfo.InvariantCulture, $"{s:F3} s");

    private static string Seconds((double Wall, double Own, double Servers) t) =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Wall:F3} s ({t.Own:F3} + {t.Servers:F3})");

    private static string Seconds((double Wall, double Own, double Servers, double? Other) t) => t.Other is { } other
        ? string.Create(CultureInfo.InvariantCulture, $"{t.Wall:F3} s ({t.Own:F3} + {t.Servers:F3} + {other:F3})")
        : Seconds((t.Wall, t.Own, t.Servers));

    /// <summary>
    /// Median wall-clock seconds of <paramref name="runs"/> runs after a warm-up, and CPU seconds per run: this
    /// process', the servers', and those of <paramref name="other"/> processes when any are given.
    /// </summary>
    private static async Task<(double Wall, double Own, double Servers, double? Other)> Timed(int runs, int[] servers, Func<Task> action, int[]? other = null)
    {
        await action();
        var own = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var theirs = servers.Sum(CpuSeconds);
        var others = other?.Sum(CpuSeconds) ?? 0;
        var wall = await PromqlMacro.MedianAsync(runs, action, warmUp: false);
        return (wall, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - own).TotalSeconds / runs, (servers.Sum(CpuSeconds) - theirs) / runs,
            other is { Length: > 0 } ? (other.Sum(CpuSeconds) - others) / runs : null);
    }

    /// <summary>Two actions interleaved run by run after a warm-up each: median wall-clock seconds and CPU seconds per run of each.</summary>
    private static async Task<((double, double, double) A, (double, double, double) B)> TimedPair(int runs, int[] servers, Func<Task> a, Func<Task> b)
    {
        await a();
        await b();
        var wall = new[] { new double[runs], new double[runs] };
        var own = new double[2];
        var theirs = new double[2];
        for (var i = 0; i < runs; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                var (ownBefore, theirsBefore) = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime, servers.Sum(CpuSeconds));
                var stopwatch = System.Diagnostics.Stopwatch.StartNew();
                await (k == 0 ? a() : b());
                wall[k][i] = stopwatch.Elapsed.TotalSeconds;
                own[k] += (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
                theirs[k] += servers.Sum(CpuSeconds) - theirsBefore;
            }
        }
        return ((GatewayMacro.Median(wall[0]), own[0] / runs, theirs[0] / runs), (GatewayMacro.Median(wall[1]), own[1] / runs, theirs[1] / runs));
    }

    /// <summary>A process' user + system CPU seconds from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return 0;
        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}

/// <summary>
/// Reading one shard's answer to histogram_quantile's pushed inner sum as bench/gateway.sh gets it (200 series × 288
/// steps, about 1.6 MB of JSON): the gateway's one-pass reader against a JsonDocument with a string per value (how
/// the gateway read it before). <c>gateway-parse [iterations]</c>; CPU seconds of this thread, so load hardly matters.
/// </summary>
internal static class GatewayParseCost
{
    public static int Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
        var random = new Random(1);
        var series = new List<Headroom.PromQL.Series>();
        for (var job = 0; job < 20; job++)
        {
            foreach (var le in new[] { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf" })
            {
                var rate = random.NextDouble() * 50;
                series.Add(new(Headroom.PromQL.Labels.Of("job", $"job-{job}", "le", le),
                    [.. Enumerable.Range(0, 288).Select(i => new Headroom.PromQL.FloatPoint(1_793_491_200_000 + i * 300_000L, rate * (1 + random.NextDouble() / 10)))]));
            }
        }
        var body = Encoding.UTF8.GetBytes(Headroom.Prometheus.ServerApi.QueryResponseWriter.ToJson(
            new QueryResult(new MatrixResult(series), new Annotations())));
        var onePass = Cpu(iterations, () => QueryRangeAnswer.Read(body).Series.Count);
        var document = Cpu(iterations, () => ReadWithDocument(body));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"One shard's answer ({series.Count} series x 288 steps, {body.Length / 1e6:F1} MB), CPU per read, {iterations} reads: one pass {onePass * 1000:F1} ms; JsonDocument with a string per value {document * 1000:F1} ms."));
        return 0;
    }

    private static double Cpu(int iterations, Func<int> read)
    {
        read();
        var before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var total = 0;
        for (var i = 0; i < iterations; i++)
            total += read();
        GC.KeepAlive(total);
        return (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds / iterations;
    }

    /// <summary>The reading the gateway did before: a JsonDocument, then a string per value parsed.</summary>
    private static int ReadWithDocument(byte[] body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var count = 0;
        foreach (var item in document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = Headroom.PromQL.Labels.From(item.GetProperty("metric").EnumerateObject().Select(p => new Headroom.PromQL.Label(p.Name, p.Value.GetString() ?? "")));
            var values = item.GetProperty("values");
            var points = new Headroom.PromQL.FloatPoint[values.GetArrayLength()];
            var i = 0;
            foreach (var pair in values.EnumerateArray())
                points[i++] = new Headroom.PromQL.FloatPoint((long)Math.Round(pair[0].GetDouble() * 1000), double.Parse(pair[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));
            count += labels.Count + points.Length;
        }
        return count;
    }
}
