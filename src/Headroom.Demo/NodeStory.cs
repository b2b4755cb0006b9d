using System.Diagnostics;
using System.Globalization;
using System.Net;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Demo;

/// <summary>The node story on one Prometheus: history backfilled by promtool, the live fleet scraped, rules recorded.</summary>
internal static class NodeStory
{
    public static async Task RunAsync(DemoOptions options, string root, DemoConsole console, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var now = TimeProvider.System.GetUtcNow();
        var end = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 60 * 60);
        var tsdb = Path.Combine(root, "prometheus");

        await console.StepAsync($"backfilling {options.Days} days of history for {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed})").ConfigureAwait(false);
        await BackfillAsync(fleet, new HistoryOptions(end.AddDays(-options.Days), end, TimeSpan.FromMinutes(1)) { TargetLabels = true }, tsdb, console, cancellationToken).ConfigureAwait(false);

        await console.StepAsync("starting the fleet's node_exporter targets").ConfigureAwait(false);
        var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var sdFile = Path.Combine(root, "fleet-sd.json");
            await FileSdTargetGroup.WriteFileAsync(sdFile, FleetTargets.For(fleet, server.Address, withMetadata: true), cancellationToken).ConfigureAwait(false);
            await console.LineAsync($"    {fleet.Hosts.Count} targets at {server.BaseUri}hosts/{{id}}/metrics").ConfigureAwait(false);

            var rules = Path.Combine(root, "headroom-rules.yml");
            await console.StepAsync($"recording rules: generating {rules} and recording them over the history").ConfigureAwait(false);
            await StorySteps.RecordHistoryAsync("node", rules, tsdb, end.AddDays(-options.Days), end, console, cancellationToken).ConfigureAwait(false);

            await console.StepAsync("starting Prometheus on the backfilled data with the rules, scraping the fleet every 15s").ConfigureAwait(false);
            var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                DataDirectory = tsdb,
                ScrapeConfigsYaml = FleetTargets.ScrapeConfigYaml(sdFile),
                EvaluationInterval = "1m",
                RuleFiles = [rules],
            }, cancellationToken).ConfigureAwait(false);
            await using (prometheus.ConfigureAwait(false))
            {
                await console.LineAsync($"    Prometheus at {prometheus.BaseUri}").ConfigureAwait(false);

                using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
                var client = new PrometheusClient(http, prometheus.BaseUri);
                await StorySteps.WaitForScrapesAsync(client, FleetTargets.DefaultJob, fleet.Hosts.Count, "fleet targets", cancellationToken).ConfigureAwait(false);
                await console.LineAsync($"    all {fleet.Hosts.Count} targets are up").ConfigureAwait(false);

                await console.StepAsync("reading the data back through the Prometheus API").ConfigureAwait(false);
                await StorySteps.SummaryAsync(client, fleet, options.Days, console, cancellationToken).ConfigureAwait(false);

                await StoryEnding.RunAsync(options, root, client, prometheus.BaseUri, "node", end.AddDays(-options.Days), console, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task BackfillAsync(SimulatedFleet fleet, HistoryOptions history, string tsdb, DemoConsole console, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var stats = await console.Progress.RunAsync("    writing history and creating blocks", p =>
            Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, history, stream, p, cancellationToken), tsdb, cancellationToken)).ConfigureAwait(false);
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {stats.Samples:N0} samples in {stats.Series:N0} series ({ByteSize.Format(stats.Bytes)} of OpenMetrics) turned into TSDB blocks by promtool in {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
    }
}
