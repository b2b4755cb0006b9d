using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.ServerApi;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// <c>headroom gateway</c> against one Prometheus holding all the data: <c>gateway [SERIES] [RUNS] [LOAD-SECONDS]
/// [CLIENTS]</c> writes the data of <c>bench/promql.sh</c> (<see cref="PromqlBenchData"/>), backfills it whole into one
/// Prometheus and split by hashmod of <c>job</c> and <c>instance</c> (a target's identity) into 4 shards × 2 replicas
/// (<see cref="PrometheusTopology"/>), and serves the shards through an in-process <see cref="GatewayServer"/> with
/// <c>pushdown: true</c> (a request with <c>pushdown=false</c> turns it off). Each query of
/// <see cref="PromqlBenchData.Queries"/> is timed directly, through the gateway without and with pushdown (median of
/// RUNS after a warm-up, the three interleaved run by run so that they share the machine's load), and each gateway
/// answer is compared with the direct one. Then queries per second at CLIENTS concurrent clients for LOAD-SECONDS, the
/// gateway's peak memory, and where the gateway's time goes (<see cref="GatewayBreakdown"/>).
/// </summary>
internal static class GatewayMacro
{
    public const int Shards = 4;
    public const int Replicas = 2;

    /// <summary>The labels whose hashmod picks a series' shard: the target's identity, as a sharded scrape would split it.</summary>
    public static readonly IReadOnlyList<string> ShardBy = ["job", "instance"];

    private static readonly string[] s_prometheusArguments =
        ["--query.max-samples=500000000", "--storage.remote.read-sample-limit=0", "--query.timeout=10m"];

    public static async Task<int> RunAsync(string[] args, bool layersOnly = false)
    {
        if (args.Length > 0 && args[0] == "--help")
        {
            Console.Error.WriteLine("usage: gateway [--in-process | --cpus-per-server CORES] [SERIES (default 1000)] [RUNS (default 5)] [LOAD-SECONDS (default 20)] [CLIENTS (default 8)]");
            return 2;
        }
        // Every server (the one Prometheus, each replica, the gateway) limited to the same cores, as if each had a
        // machine of its own of that size (CpuBudget): what the topology gives where the servers do not share two cores.
        double? cpus = null;
        if (Array.IndexOf(args, "--cpus-per-server") is var at and >= 0)
        {
            if (at + 1 >= args.Length || !double.TryParse(args[at + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var cores))
            {
                Console.Error.WriteLine("--cpus-per-server takes a number of cores, e.g. --cpus-per-server 0.4");
                return 2;
            }
            cpus = cores;
            args = [.. args[..at], .. args[(at + 2)..]];
        }
        // The gateway runs as `headroom gateway` in its own process unless asked to run in this one (as before 2026-11-30 17:45).
        var inProcess = args.Contains("--in-process");
        args = [.. args.Where(static a => a != "--in-process")];
        if (inProcess && cpus is not null)
        {
            Console.Error.WriteLine("--cpus-per-server limits the gateway's own process: it cannot be combined with --in-process");
            return 2;
        }
        var series = Argument(args, 0, 1000);
        var runs = Argument(args, 1, 5);
        var loadSeconds = Argument(args, 2, 20);
        var clients = Argument(args, 3, 8);
        var total = Stopwatch.StartNew();
        // Created first so that it is disposed last, once every server it limits has stopped.
        CpuBudget? created = null;
        try
        {
            created = cpus is { } perServer ? CpuBudget.Create(perServer) : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine("--cpus-per-server: " + e.Message);
            return 2;
        }
        await using var budget = created;
        var work = Directory.CreateTempSubdirectory("headroom-bench-gateway-");
        try
        {
            var input = Path.Combine(work.FullName, "data.om");
            await using (var writer = new StreamWriter(input, false, new UTF8Encoding(false), 1 << 20))
                PromqlBenchData.WriteOpenMetrics(series, writer);
            var tsdb = Path.Combine(work.FullName, "tsdb");
            var backfill = Stopwatch.StartNew();
            var whole = Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(24));
            var split = PrometheusTopology.StartAsync(new PrometheusTopologyOptions
            {
                Shards = Shards,
                Replicas = Replicas,
                HistoryFile = input,
                HistoryShardBy = ShardBy,
                Prometheus = new PrometheusOptions { ScrapeSelf = false, Retention = "3650d", ExtraArguments = s_prometheusArguments },
                StartTimeout = TimeSpan.FromMinutes(10),
            });
            var blocks = await whole;
            if (!blocks.Succeeded)
                throw new InvalidOperationException("promtool: " + blocks.StandardError);
            await using var topology = await split;
            File.Delete(input);
            await using var direct = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                DataDirectory = tsdb,
                Retention = "3650d",
                ScrapeSelf = false,
                ExtraArguments = s_prometheusArguments,
            });
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data: {series} counters + {series} histogram buckets x 1 day at 15 s, backfilled whole and into {Shards} shards x {Replicas} replicas in {backfill.Elapsed.TotalSeconds:F0} s; " +
                $"series per shard (hashmod of {string.Join(", ", ShardBy)}): {string.Join(", ", topology.Shards.Select(static s => s.HistorySeries))}"));

            var config = GatewayConfig.For([.. topology.Shards.Select(static s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(static r => r.BaseUri)], Labels.Empty))])
                with
            {
                // The direct Prometheus has neither label: both are dropped so that series compare equal.
                ReplicaLabels = [PrometheusTopology.ReplicaLabel, PrometheusTopology.ShardLabel],
                Pushdown = true,
                BackendTimeout = TimeSpan.FromMinutes(10),
                Limits = new QueryLimits(Timeout: TimeSpan.FromMinutes(10), MaxSamples: 500_000_000),
            };
            // In process: the layers of where the time goes, and the timed gateway with --in-process.
            await using var gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
            await using var process = inProcess ? null : await GatewayProcess.StartAsync(Yaml(config), work.FullName);
            await using var memory = new MemoryPeak(process?.ProcessId);
            Console.Error.WriteLine(inProcess ? "gateway: in this process" : $"gateway: headroom gateway in its own process (pid {process!.ProcessId}) at {process.BaseUri}");
            if (budget is not null)
            {
                budget.Limit(direct.ProcessId, "direct");
                foreach (var (replica, i) in topology.Replicas.Select(static (r, i) => (r, i)))
                    budget.Limit(replica.ProcessId ?? throw new InvalidOperationException("a replica runs in this process: it cannot be limited"), $"replica{i}");
                budget.Limit(process!.ProcessId, "gateway");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"CPU budget: {budget.Cores:0.##} cores for each server (the one Prometheus, each of the {Shards * Replicas} replicas, the gateway), each in a cgroup of its own; the clients are not limited."));
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            // Headroom's own engine over remote read of the one Prometheus, with that server's window edges (as the
            // gateway takes its shards'): where a gateway answer differs from Prometheus 2.42's, it tells a difference
            // of the engines (docs/promql.md) from one of the gateway.
            var edge = await new PrometheusClient(http, direct.BaseUri).LeftEdgeAsync();
            var headroomOnDirect = new QueryEngine(new RemoteReadSource(new RemoteReadClient(http, direct.BaseUri)),
                new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10), LeftEdge = edge });
            var bench = new Bench(http, new Uri(direct.BaseUri, "api/v1/query_range"), new Uri(process?.BaseUri ?? gateway.BaseUri, "api/v1/query_range"), headroomOnDirect);

            Console.WriteLine($"Load average before: {LoadAverage()}");
            Console.WriteLine();
            if (layersOnly)
            {
                // Only where a pushed query's time goes (bench/gateway.sh --layers): the queries' pushed texts, then the layers.
                var asked = new List<Measured>();
                foreach (var (name, query) in PromqlBenchData.Queries)
                {
                    var pushed = GatewayAnswers.Pushed(await bench.PostAsync(bench.Gateway, Bench.Form(query) + "&stats=all"));
                    asked.Add(new Measured(name, query, 0, 0, 0, default, default, pushed));
                }
                await GatewayPushedLayers.RunAsync(bench, gateway, topology, runs, asked, direct.ProcessId, process?.ProcessId);
                Console.WriteLine();
                await GatewayPushedLayers.RateAsync(bench, gateway, topology, runs);
                Console.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Load average after: {LoadAverage()}; whole run {total.Elapsed.TotalMinutes:F1} min."));
                return 0;
            }
            memory.Reset();
            var measured = await bench.QueriesAsync(runs);
            var (sequentialSet, sequentialHeap) = (memory.WorkingSet, memory.Heap);
            Console.WriteLine();

            Console.WriteLine($"Queries per second, {clients} concurrent clients for {loadSeconds} s each, the six queries in turn (client i starts at query i):");
            Console.WriteLine();
            Console.WriteLine(memory.InProcess
                ? "| target | queries | failed | queries/s | median latency | max latency | peak working set (gateway process) | peak managed heap |"
                : "| target | queries | failed | queries/s | median latency | max latency | peak resident set (gateway process) | peak managed heap |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            var duration = TimeSpan.FromSeconds(loadSeconds);
            var forms = PromqlBenchData.Queries.Select(static q => Bench.Form(q.Query)).ToArray();
            foreach (var (name, endpoint, suffix, gatewayMemory) in new[]
            {
                ("one Prometheus, direct", bench.Direct, "", false),
                ("gateway, no pushdown", bench.Gateway, "&pushdown=false", true),
                ("gateway, pushdown", bench.Gateway, "", true),
            })
            {
                memory.Reset();
                var load = await GatewayLoad.RunAsync(http, endpoint, [.. forms.Select(f => f + suffix)], clients, duration);
                var memoryColumns = gatewayMemory ? $"{Mib(memory.WorkingSet)} | {(memory.InProcess ? Mib(memory.Heap) : "—")}" : "— | —";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {load.Completed} | {load.Failed} | {load.PerSecond:F2} | {load.MedianLatency:F3} s | {load.MaxLatency:F3} s | {memoryColumns} |"));
                if (load.FirstFailure is { } failure)
                    Console.WriteLine($"  first failure: {failure}");
            }
            Console.WriteLine();
            Console.WriteLine((memory.InProcess
                ? $"Peak memory of the gateway process over the sequential runs above: working set {Mib(sequentialSet)}, managed heap {Mib(sequentialHeap)} " +
                    $"(process peak working set {Mib(Process.GetCurrentProcess().PeakWorkingSet64)}); "
                : $"Peak resident set of the gateway process over the sequential runs above: {Mib(sequentialSet)} (its peak over the whole run, VmHWM: {Mib(PeakResident(process!.ProcessId))}); ") +
                "Prometheus peak resident set (VmHWM): " +
                $"direct {Mib(PeakResident(direct.ProcessId))}, the {Shards * Replicas} replicas together {Mib(topology.Replicas.Sum(static r => r.ProcessId is { } pid ? PeakResident(pid) : 0))}.");
            Console.WriteLine();

            if (budget is null)
            {
                await GatewayBreakdown.RunAsync(bench, gateway, topology, direct, series, Math.Min(runs, 3), measured);
            }
            else
            {
                // The breakdown times a gateway in this (unlimited) process: it would not say what the limited one spends.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Time each server was held back by its budget over the whole run: direct {Throttled(budget, "direct")}, " +
                    $"replicas {string.Join(", ", Enumerable.Range(0, Shards * Replicas).Select(i => Throttled(budget, $"replica{i}")))}, gateway {Throttled(budget, "gateway")}."));
            }
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Load average after: {LoadAverage()}; whole run {total.Elapsed.TotalMinutes:F1} min."));
            return measured.All(static m => m.Off.Same && m.On.Same || m.SameAsHeadroomOnDirect) ? 0 : 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>One query's medians and agreement.</summary>
    internal sealed record Measured(string Name, string Query, double Direct, double GatewayOff, double GatewayOn,
        GatewayAnswers.Agreement Off, GatewayAnswers.Agreement On, IReadOnlyList<string> Pushed)
    {
        /// <summary>Where an answer differs from Prometheus': whether both equal Headroom's engine over the one Prometheus.</summary>
        public bool SameAsHeadroomOnDirect { get; init; }
    }

    /// <summary>The two endpoints and how one query is sent and timed.</summary>
    internal sealed class Bench(HttpClient http, Uri direct, Uri gateway, QueryEngine headroomOnDirect)
    {
        public static readonly long Start = PromqlBenchData.Start + PromqlBenchData.Step;
        public static readonly long End = PromqlBenchData.Start + PromqlBenchData.Day - PromqlBenchData.Scrape;

        public HttpClient Http => http;

        public Uri Direct => direct;

        public Uri Gateway => gateway;

        public static string Form(string query) => string.Create(CultureInfo.InvariantCulture,
            $"query={Uri.EscapeDataString(query)}&start={Start / 1000.0}&end={End / 1000.0}&step={PromqlBenchData.Step / 1000}");

        /// <summary>POSTs the form and reads the whole answer, as a client of the HTTP API does.</summary>
        public async Task<string> PostAsync(Uri endpoint, string form)
        {
            using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await http.PostAsync(endpoint, content);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{endpoint}: HTTP {(int)response.StatusCode}: {body}");
            return body;
        }

        public async Task<List<Measured>> QueriesAsync(int runs)
        {
            Console.WriteLine($"| query | one Prometheus, direct | gateway, no pushdown | ÷ direct | gateway, pushdown | ÷ direct | pushed to the shards | same answer as direct, no pushdown | same answer, pushdown |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---|---|---|");
            var all = new List<Measured>();
            var notes = new List<string>();
            foreach (var (name, query) in PromqlBenchData.Queries)
            {
                var form = Form(query);
                // Warm-ups, kept as the answers to compare; stats=all makes the gateway say what it pushed down.
                var reference = await PostAsync(direct, form);
                var off = await PostAsync(gateway, form + "&pushdown=false&stats=all");
                var on = await PostAsync(gateway, form + "&stats=all");
                var pushed = GatewayAnswers.Pushed(on);
                if (GatewayAnswers.Pushed(off).Count > 0)
                    throw new InvalidOperationException($"{query}: pushed down with pushdown=false");
                var seconds = new double[3][];
                for (var k = 0; k < 3; k++)
                    seconds[k] = new double[runs];
                for (var i = 0; i < runs; i++)
                {
                    seconds[0][i] = await TimeAsync(direct, form);
                    seconds[1][i] = await TimeAsync(gateway, form + "&pushdown=false");
                    seconds[2][i] = await TimeAsync(gateway, form);
                }
                var measured = new Measured(name, query, Median(seconds[0]), Median(seconds[1]), Median(seconds[2]),
                    GatewayAnswers.Compare(reference, off), GatewayAnswers.Compare(reference, on), pushed);
                all.Add(measured);
                if (!measured.Off.Same || !measured.On.Same)
                {
                    var engine = QueryResponseWriter.ToJson(await headroomOnDirect.RangeAsync(query, Start, End, PromqlBenchData.Step));
                    var (offEngine, onEngine) = (GatewayAnswers.Compare(engine, off), GatewayAnswers.Compare(engine, on));
                    measured = measured with { SameAsHeadroomOnDirect = offEngine.Same && onEngine.Same };
                    all[^1] = measured;
                    notes.Add($"{name}: against Headroom's engine over remote read of the one Prometheus, the gateway's answers are the same: no pushdown {offEngine}; pushdown {onEngine}.");
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {measured.Direct:F3} s | {measured.GatewayOff:F3} s | {measured.GatewayOff / measured.Direct:F2} | {measured.GatewayOn:F3} s | {measured.GatewayOn / measured.Direct:F2} | {(pushed.Count == 0 ? "nothing" : string.Join("; ", pushed.Select(static p => $"`{p}`")))} | {measured.Off} | {measured.On} |"));
            }
            Console.WriteLine();
            foreach (var note in notes)
                Console.WriteLine("- " + note);
            if (notes.Count > 0)
                Console.WriteLine();
            var offMisses = all.Where(static m => m.GatewayOff > 1.2 * m.Direct).Select(static m => m.Name).ToList();
            var onMisses = all.Where(static m => m.Pushed.Count > 0 && m.GatewayOn > 0.8 * m.Direct).Select(static m => m.Name).ToList();
            Console.WriteLine("Target without pushdown (≤ 1.2 × direct): " + (offMisses.Count == 0 ? "met for every query" : "missed for " + string.Join(", ", offMisses)) + ".");
            Console.WriteLine("Target for aggregations with pushdown (≤ 0.8 × direct): " +
                (!all.Any(static m => m.Pushed.Count > 0) ? "nothing was pushed" : onMisses.Count == 0 ? "met for every pushed query" : "missed for " + string.Join(", ", onMisses)) + ".");
            Console.WriteLine(all.All(static m => m.Off.Same && m.On.Same)
                ? "Every gateway answer equals the direct answer (same series and timestamps, values within 1e-6 relative)."
                : all.All(static m => m.Off.Same && m.On.Same || m.SameAsHeadroomOnDirect)
                    ? "Every gateway answer equals the direct answer (same series and timestamps, values within 1e-6 relative), or, where Prometheus 2.42 and Headroom's engine differ, Headroom's engine over the one Prometheus."
                    : "**Some gateway answers differ from the direct answer and from Headroom's engine over the one Prometheus** (see the table).");
            return all;
        }

        private async Task<double> TimeAsync(Uri endpoint, string form)
        {
            var stopwatch = Stopwatch.StartNew();
            await PostAsync(endpoint, form);
            return stopwatch.Elapsed.TotalSeconds;
        }
    }

    internal static double Median(double[] values)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static string Throttled(CpuBudget budget, string name) =>
        budget.Throttled(name) is { } held ? string.Create(CultureInfo.InvariantCulture, $"{held.TotalSeconds:F1} s") : "unknown";

    internal static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F0} MiB");

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    /// <summary>A process' peak resident set (<c>VmHWM</c>), in bytes; 0 when unknown.</summary>
    private static long PeakResident(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
            return 0;
        var line = File.ReadLines(status).FirstOrDefault(static l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The configuration file of <paramref name="config"/>'s shards, labels, pushdown and limits, for <c>headroom gateway --config</c>.</summary>
    private static string Yaml(GatewayConfig config)
    {
        var yaml = new StringBuilder("shards:\n");
        foreach (var shard in config.Shards)
            yaml.Append(CultureInfo.InvariantCulture, $"  - name: {shard.Name}\n    replicas: [{string.Join(", ", shard.Replicas)}]\n");
        yaml.Append(CultureInfo.InvariantCulture, $"replica_labels: [{string.Join(", ", config.ReplicaLabels)}]\n");
        yaml.Append(CultureInfo.InvariantCulture, $"pushdown: {(config.Pushdown ? "true" : "false")}\n");
        yaml.Append(CultureInfo.InvariantCulture, $"backend_timeout: {(int)config.BackendTimeout.TotalSeconds}s\n");
        yaml.Append(CultureInfo.InvariantCulture, $"limits:\n  query_timeout: {(int)config.Limits.QueryTimeout.TotalSeconds}s\n  max_samples: {config.Limits.MaxSamples}\n");
        return yaml.ToString();
    }

    private static int Argument(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
