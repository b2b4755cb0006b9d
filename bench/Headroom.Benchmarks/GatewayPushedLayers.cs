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
        IReadOnlyList<GatewayMacro.Measured> measured)
    {
        var (start, end, step) = (GatewayMacro.Bench.Start, GatewayMacro.Bench.End, PromqlBenchData.Step);
        using var gzip = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.GZip }) { Timeout = TimeSpan.FromMinutes(10) };
        var current = gateway.Current;
        var replicas = current.Shards.Select(static s => (ReplicaBackend)((ShardSource)s).Replicas[0]).ToArray();
        var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) };
        var prometheus = topology.Replicas.Select(static r => r.ProcessId ?? 0).Where(static p => p > 0).ToArray();
        Console.WriteLine("Each cell: wall-clock median, then in brackets the CPU seconds per run of this process (gateway and client) + of the shards' Prometheus processes.");
        Console.WriteLine();
        Console.WriteLine($"A pushed query's layers, median of {runs} after a warm-up:");
        Console.WriteLine();
        Console.WriteLine("| query | pushed text, one replica of each shard, plain | answer size | the same accepting gzip | the gateway's backend call (JSON parsed) | gateway engine with pushdown, in process | gateway, pushdown, HTTP | gateway, no pushdown, HTTP | direct |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in measured)
        {
            var form = GatewayMacro.Bench.Form(m.Query);
            var columns = new List<string>();
            if (m.Pushed.Count > 0)
            {
                var forms = m.Pushed.Select(GatewayMacro.Bench.Form).ToArray();
                long bytes = 0;
                var plain = await Timed(runs, prometheus, async () =>
                {
                    var bodies = await Task.WhenAll(topology.Shards.SelectMany(s => forms.Select(f => bench.PostAsync(new Uri(s.Replicas[0].BaseUri, "api/v1/query_range"), f))));
                    bytes = bodies.Sum(static b => (long)Encoding.UTF8.GetByteCount(b));
                });
                var zipped = await Timed(runs, prometheus, () => Task.WhenAll(topology.Shards.SelectMany(s => forms.Select(async f =>
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
            var inProcess = await Timed(runs, prometheus, () =>
            {
                var rewriter = new PushdownRewriter(current.Federation, [], current.Config.ReplicaLabels, current.Metrics, options.LookbackDelta);
                return new QueryEngine(current.Federation, options, rewriter).RangeAsync(m.Query, start, end, step);
            });
            columns.Add(Seconds(inProcess));
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Gateway, form))));
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Gateway, form + "&pushdown=false"))));
            columns.Add(Seconds(await Timed(runs, prometheus, () => bench.PostAsync(bench.Direct, form))));
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

    /// <summary>Median wall-clock seconds of <paramref name="runs"/> runs after a warm-up, and CPU seconds per run: this process' and the servers'.</summary>
    private static async Task<(double Wall, double Own, double Servers)> Timed(int runs, int[] servers, Func<Task> action)
    {
        await action();
        var own = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var theirs = servers.Sum(CpuSeconds);
        var wall = await PromqlMacro.MedianAsync(runs, action, warmUp: false);
        return (wall, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - own).TotalSeconds / runs, (servers.Sum(CpuSeconds) - theirs) / runs);
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
