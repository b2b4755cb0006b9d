using System.Diagnostics;
using System.Globalization;
using Headroom.Gateway;
using Headroom.Prometheus.RemoteRead;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// Where the gateway's time goes, by taking its layers away one at a time: the engine over the gateway's federated
/// source (every replica read by streamed remote read, replicas deduplicated, shards merged; no HTTP request or JSON
/// answer), the same engine over remote read of the one Prometheus (one backend, nothing to deduplicate), and the
/// engine in memory (evaluation alone). For pushed queries, the pushed text sent to one replica of every shard at
/// once, which bounds what pushdown can reach. Runs last, as the in-memory copy of the data stays in the process.
/// </summary>
internal static class GatewayBreakdown
{
    public static async Task RunAsync(GatewayMacro.Bench bench, GatewayServer gateway, PrometheusTopology topology, PrometheusServer direct,
        int series, int runs, IReadOnlyList<GatewayMacro.Measured> measured)
    {
        var (start, end, step) = (GatewayMacro.Bench.Start, GatewayMacro.Bench.End, PromqlBenchData.Step);
        var options = new EngineOptions { MaxSamples = 500_000_000, Timeout = TimeSpan.FromMinutes(10) };
        var federation = gateway.Current.Federation;
        var overFederation = new QueryEngine(federation, options);
        var overDirect = new QueryEngine(new RemoteReadSource(new RemoteReadClient(bench.Http, direct.BaseUri)), options);

        // Reading alone, no engine: the day of the counters, directly, from one replica (a quarter of them), from all
        // eight replicas at once (each shard's series twice), and through the federation (the same plus dedup and merge).
        var counters = new[] { new LabelMatcher(LabelMatchType.Equal, "__name__", "http_requests_total") };
        var query = new RemoteReadQuery(counters, start - 300_000, end);
        var readDirect = await PromqlMacro.MedianAsync(runs, () => new RemoteReadClient(bench.Http, direct.BaseUri).ReadAsync([query]));
        var readOne = await PromqlMacro.MedianAsync(runs, () => new RemoteReadClient(bench.Http, topology.Replica(0, 0).BaseUri).ReadAsync([query]));
        var readAll = await PromqlMacro.MedianAsync(runs, () => Task.WhenAll(topology.Replicas.Select(r => new RemoteReadClient(bench.Http, r.BaseUri).ReadAsync([query]))));
        var readFederated = await PromqlMacro.MedianAsync(runs, async () =>
        {
            await foreach (var _ in federation.SelectAsync(counters, start - 300_000, end, new SelectHints(), new SourceWarnings()))
            {
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Reading the day of http_requests_total ({series:N0} series) by streamed remote read, no engine, median of {runs}: from the one Prometheus {readDirect:F3} s; " +
            $"from one replica of shard 0 alone ({topology.Shards[0].HistorySeries:N0} series of its shard) {readOne:F3} s; from all {topology.Replicas.Count} replicas at once {readAll:F3} s; " +
            $"through the gateway's federated source (the same reads, replicas deduplicated, shards merged) {readFederated:F3} s."));
        Console.WriteLine();

        var storage = new InMemoryStorage();
        PromqlBenchData.Generate(series, storage.Append);
        var inMemory = new QueryEngine(storage, options);
        Console.WriteLine($"Where the time goes, median of {runs} after a warm-up (the gateway columns are from the table above):");
        Console.WriteLine();
        Console.WriteLine("| query | gateway, no pushdown | engine over the federated source | HTTP + JSON (difference) | engine over remote read of the one Prometheus | engine in memory | gateway, pushdown | pushed queries alone, one replica of each shard at once | one Prometheus, direct |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var m in measured)
        {
            var federated = await PromqlMacro.MedianAsync(runs, () => overFederation.RangeAsync(m.Query, start, end, step));
            var remote = await PromqlMacro.MedianAsync(runs, () => overDirect.RangeAsync(m.Query, start, end, step));
            var memory = await PromqlMacro.MedianAsync(runs, () => inMemory.RangeAsync(m.Query, start, end, step));
            var pushedAlone = "—";
            if (m.Pushed.Count > 0)
            {
                var forms = m.Pushed.Select(GatewayMacro.Bench.Form).ToArray();
                var seconds = await PromqlMacro.MedianAsync(runs, () => Task.WhenAll(topology.Shards.SelectMany(s => forms.Select(f =>
                    bench.PostAsync(new Uri(s.Replicas[0].BaseUri, "api/v1/query_range"), f)))));
                pushedAlone = string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} s");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Name} | {m.GatewayOff:F3} s | {federated:F3} s | {m.GatewayOff - federated:F3} s | {remote:F3} s | {memory:F3} s | {m.GatewayOn:F3} s | {pushedAlone} | {m.Direct:F3} s |"));
        }
    }
}
