using System.Diagnostics;
using System.Globalization;
using System.Net;
using Headroom.Etl;
using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Rules;
using Headroom.PromQL;
using Headroom.Ruler;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// The global ruler against Prometheus' own rule evaluation: <c>ruler [HOSTS] [RUNS]</c> backfills the last hour of a
/// simulated fleet of HOSTS node_exporter hosts into 2 shards behind an in-process gateway and, whole, into one
/// Prometheus that evaluates the node profile's recording rules itself every 5 s. The ruler evaluates the same group
/// over the gateway RUNS times (writing to a third Prometheus by remote write); each side's group evaluation time is
/// compared by median: the ruler's measured around its evaluation, Prometheus' read from its
/// <c>prometheus_rule_group_last_duration_seconds</c> after each of its evaluations.
/// </summary>
internal static class RulerMacro
{
    public static async Task<int> RunAsync(string[] args)
    {
        var hosts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var work = Directory.CreateTempSubdirectory("headroom-bench-ruler-");
        try
        {
            var end = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);
            var fleet = SimulatedFleet.Create(hosts, 5);
            var history = new HistoryOptions(end.AddHours(-1), end.AddMinutes(10), TimeSpan.FromSeconds(15));
            var input = Path.Combine(work.FullName, "history.om");
            HistoryStats stats;
            await using (var stream = File.Create(input))
                stats = FleetHistory.Write(fleet, history, stream);
            var rules = RuleGenerator.Generate(ProfileLoader.Load("node"), TimeSpan.FromSeconds(5));
            var ruleFile = Path.Combine(work.FullName, "node.rules.yml");
            await File.WriteAllTextAsync(ruleFile, RuleFileWriter.Write(rules));

            var topology = PrometheusTopology.StartAsync(new PrometheusTopologyOptions { Shards = 2, Replicas = 1, HistoryFile = input, HistoryShardBy = ["instance"], StartTimeout = TimeSpan.FromMinutes(10) });
            var tsdb = Path.Combine(work.FullName, "reference");
            var blocks = await Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(2));
            if (!blocks.Succeeded)
                throw new InvalidOperationException("promtool: " + blocks.StandardError);
            await using var reference = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false, RuleFiles = [ruleFile], EvaluationInterval = "5s",
            });
            await using var receiver = await PrometheusServer.StartAsync(new PrometheusOptions { EnableRemoteWriteReceiver = true, ScrapeSelf = false });
            await using var shards = await topology;
            var config = GatewayConfig.For([.. shards.Shards.Select(s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(r => r.BaseUri)], Labels.Empty))])
                with
            { ReplicaLabels = ["replica", "shard"] };
            await using var gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)));
            Console.Error.WriteLine($"{hosts} hosts, {stats.Series} series, {stats.Samples} samples; 2 shards behind the gateway; reference evaluating {rules.Groups[0].Rules.Count} rules every 5 s");

            await using var ruler = Ruler.Ruler.Create(new RulerOptions
            {
                RuleFiles = [ruleFile],
                Source = gateway.BaseUri,
                RemoteWrite = new Uri(receiver.BaseUri, "api/v1/write"),
            });
            var group = ruler.Groups[0];
            var ours = new List<double>();
            var written = 0;
            for (var i = 0; i <= runs; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = await ruler.EvaluateAsync(group, TimeProvider.System.GetUtcNow(), default);
                watch.Stop();
                if (result.Failures.Count > 0)
                    throw new InvalidOperationException(string.Join("; ", result.Failures.Select(f => $"{f.Rule.Name}: {f.Error.Message}")));
                written = result.Samples.Count;
                if (i > 0)
                    ours.Add(watch.Elapsed.TotalSeconds);
            }

            using var http = new HttpClient();
            var theirs = new List<double>();
            var lastEvaluation = "";
            for (var attempts = 0; theirs.Count < runs && attempts < runs * 20; attempts++)
            {
                var metrics = await http.GetStringAsync(new Uri(reference.BaseUri, "metrics"));
                var last = Value(metrics, "prometheus_rule_group_last_evaluation_timestamp_seconds");
                if (last is { } at && at.ToString(CultureInfo.InvariantCulture) != lastEvaluation)
                {
                    if (lastEvaluation.Length > 0)
                        theirs.Add(Value(metrics, "prometheus_rule_group_last_duration_seconds")!.Value);
                    lastEvaluation = at.ToString(CultureInfo.InvariantCulture);
                }
                await Task.Delay(500);
            }
            var (ourMedian, theirMedian) = (Median(ours), Median(theirs));
            Console.WriteLine("| hosts | series | rules | recorded series | Prometheus (own TSDB) | headroom ruler over the gateway (2 shards) | ÷ |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {hosts} | {stats.Series} | {rules.Groups[0].Rules.Count} | {written} | {theirMedian * 1000:F1} ms | {ourMedian * 1000:F1} ms | {ourMedian / theirMedian:F1}× |"));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"medians of {ours.Count} ruler and {theirs.Count} Prometheus evaluations; ruler min {ours.Min() * 1000:F1} ms max {ours.Max() * 1000:F1} ms"));
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static double? Value(string exposition, string metric)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
