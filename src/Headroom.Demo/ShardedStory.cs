using System.Diagnostics;
using System.Globalization;
using System.Net;
using Headroom.Fleet;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.PromQL;
using Headroom.Servers;

namespace Headroom.Demo;

/// <summary>
/// <c>headroom demo --shards N --replicas R</c>: the node story over a sharded HA fleet. Each shard keeps its hosts by
/// Prometheus' hashmod of the <c>instance</c> label, in history and live; a gateway serves one API over all of them,
/// and the summary, the ETL and the report read the gateway.
/// </summary>
internal static class ShardedStory
{
    public static async Task RunAsync(DemoOptions options, string root, DemoConsole console, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var now = TimeProvider.System.GetUtcNow();
        var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60);
        var history = Path.Combine(root, "history.om");

        await console.StepAsync($"writing {options.Days} days of history for {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed})").ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        HistoryStats stats;
        var stream = new FileStream(history, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        await using (stream.ConfigureAwait(false))
        {
            stats = await console.Progress.RunAsync("    writing history", p => Task.Run(() =>
                FleetHistory.Write(fleet, new HistoryOptions(end.AddDays(-options.Days), end, TimeSpan.FromMinutes(1)), stream, p, cancellationToken), cancellationToken)).ConfigureAwait(false);
        }
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {stats.Samples:N0} samples in {stats.Series:N0} series ({ByteSize.Format(stats.Bytes)}) in {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);

        await console.StepAsync("starting the fleet's node_exporter targets").ConfigureAwait(false);
        var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var serverDisposal = server.ConfigureAwait(false);
        var sdFile = Path.Combine(root, "fleet-sd.json");
        await FileSdTargetGroup.WriteFileAsync(sdFile, FleetTargets.For(fleet, server.Address), cancellationToken).ConfigureAwait(false);
        await console.LineAsync($"    {fleet.Hosts.Count} targets at {server.BaseUri}hosts/{{id}}/metrics").ConfigureAwait(false);

        var rules = Path.Combine(root, "headroom-rules.yml");
        var ruleCount = await StorySteps.WriteRulesAsync("node", rules, cancellationToken).ConfigureAwait(false);
        await console.StepAsync(
            $"starting {options.Shards} shards x {options.Replicas} replicas of Prometheus: hosts split by hashmod of 'instance', history backfilled and the recording rules recorded over it in each shard by promtool").ConfigureAwait(false);
        stopwatch.Restart();
        PrometheusTopology topology;
        try
        {
            topology = await PrometheusTopology.StartAsync(TopologyOptions(options, history, rules, end, sdFile), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // promtool refused the history or the rules, or a replica did not start: say so as the node story does.
            throw new DemoException(e.Message, e);
        }
        await using var topologyDisposal = topology.ConfigureAwait(false);
        File.Delete(history);
        foreach (var shard in topology.Shards)
        {
            await console.LineAsync($"    shard {shard.Index}: {shard.HistorySeries:N0} series at {string.Join(", ", shard.Replicas.Select(r => r.BaseUri))}").ConfigureAwait(false);
            var recorded = shard.Replicas[0].RecordedHistory;
            await console.LineAsync(recorded is { Samples: > 0 }
                ? string.Create(CultureInfo.InvariantCulture, $"    shard {shard.Index}: {ruleCount} rules recorded over its own history, {recorded.Samples:N0} samples from {recorded.First:yyyy-MM-dd HH:mm} to {recorded.Last:yyyy-MM-dd HH:mm}, in each replica")
                : $"    shard {shard.Index}: the rules recorded no samples over its history").ConfigureAwait(false);
        }
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"    started in {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);

        await console.StepAsync("starting headroom gateway over the shards (replicas deduplicated, one Prometheus API)").ConfigureAwait(false);
        var config = GatewayConfig.For([.. topology.Shards.Select(s => new ShardConfig($"shard-{s.Index}", [.. s.Replicas.Select(r => r.BaseUri)], Labels.Empty))])
            with
        { ReplicaLabels = [PrometheusTopology.ReplicaLabel, PrometheusTopology.ShardLabel], Pushdown = true };
        var gateway = await GatewayServer.StartAsync(config, new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var gatewayDisposal = gateway.ConfigureAwait(false);
        await console.LineAsync($"    gateway at {gateway.BaseUri} (try: curl '{gateway.BaseUri}api/v1/query?query=count(up)')").ConfigureAwait(false);

        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var client = new PrometheusClient(http, gateway.BaseUri);
        await StorySteps.WaitForScrapesAsync(client, FleetTargets.DefaultJob, fleet.Hosts.Count, "fleet targets across the shards", cancellationToken).ConfigureAwait(false);
        await console.LineAsync($"    all {fleet.Hosts.Count} targets are up, each scraped by one shard (twice: once per replica)").ConfigureAwait(false);

        await console.StepAsync("reading the data back through the gateway").ConfigureAwait(false);
        await StorySteps.SummaryAsync(client, fleet, options.Days, console, cancellationToken).ConfigureAwait(false);

        await StoryEnding.RunAsync(options, root, client, gateway.BaseUri, "node", end.AddDays(-options.Days), console, cancellationToken).ConfigureAwait(false);
    }

    private static PrometheusTopologyOptions TopologyOptions(DemoOptions options, string history, string rules, DateTimeOffset end, string sdFile) => new()
    {
        Shards = options.Shards,
        Replicas = options.Replicas,
        HistoryFile = history,
        HistoryShardBy = ["instance"],
        HistoryBlockDuration = Promtool.MaxBlockDuration,
        // Each shard records over its own series only, so a recorded series lives on the shard that scrapes its host.
        HistoryRules = new HistoryRules([rules], end.AddDays(-options.Days), end),
        Prometheus = new PrometheusOptions { ScrapeSelf = false, Retention = "3650d", EvaluationInterval = "1m", RuleFiles = [rules] },
        Scrape = new ShardedScrape { JobName = FleetTargets.DefaultJob, FileServiceDiscoveryPath = sdFile, ShardBy = ["instance"], ScrapeInterval = "15s" },
        // Recording 14 days of rules takes each shard about half a minute more on 2 cores (the default bound is 2 minutes).
        StartTimeout = TimeSpan.FromMinutes(5),
    };
}
