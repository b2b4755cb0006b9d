using System.Diagnostics;
using System.Globalization;
using System.Net;
using Headroom.Fleet;
using Headroom.Gateway;
using Headroom.Gateway.Configuration;
using Headroom.Prometheus.Client;
using Headroom.Servers;
using Headroom.Sharding;

namespace Headroom.Demo;

/// <summary>
/// <c>headroom demo --shards N --replicas R --autoscale</c>: a live fleet that starts at a quarter of its hosts and
/// grows to all of them. The autoscaler (local mode) re-plans from the series the shards measure and starts more
/// shards, handing targets over with an overlap; the gateway follows the topology file; the global ruler evaluates the
/// node profile's recording rules and a demo alert over the gateway, writes the results to a receiving Prometheus and
/// alerts both members of an HA Alertmanager pair, whose webhook counts the notifications.
/// </summary>
internal static partial class AutoscaleStory
{
    /// <summary>How long each wait of the story may take before it gives up and says what it was waiting for.</summary>
    private static readonly TimeSpan s_waitLimit = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(DemoOptions options, string root, DemoConsole console, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var initial = Math.Max(1, options.Hosts / 4);

        await console.StepAsync($"starting a live fleet of {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed}); {initial} of them are targets to begin with").ConfigureAwait(false);
        var server = await FleetServer.StartAsync(fleet, new IPEndPoint(IPAddress.Loopback, 0), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var serverDisposal = server.ConfigureAwait(false);
        var groups = FleetTargets.For(fleet, server.Address);
        var targetsFile = Path.Combine(root, "fleet-sd.json");
        await FileSdTargetGroup.WriteFileAsync(targetsFile, groups.Take(initial), cancellationToken).ConfigureAwait(false);

        var scaling = ScalingOptions(options, fleet, targetsFile, root);
        await console.StepAsync(
            $"starting headroom shard autoscale in local mode: {options.Shards} to {scaling.MaxShards} shards x {options.Replicas} replicas, a budget of {scaling.BudgetSeries:N0} series per shard, "
            + string.Create(CultureInfo.InvariantCulture, $"re-planned above {scaling.HighWatermark:P0} or below {scaling.LowWatermark:P0} of it")).ConfigureAwait(false);
        var runtime = new LocalShardRuntime(scaling);
        await using var runtimeDisposal = runtime.ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var autoscaler = new Autoscaler(scaling, runtime, http);
        if (!await autoscaler.ReconcileAsync(cancellationToken).ConfigureAwait(false))
            throw new DemoException($"the autoscaler could not start the first shards; see its topology file {scaling.TopologyFile}");
        var before = autoscaler.Scraping.Count;
        await ShardsAsync("shards before", autoscaler, console).ConfigureAwait(false);

        await console.StepAsync($"starting headroom gateway over the topology file {scaling.TopologyFile} (it reloads when the autoscaler rewrites it)").ConfigureAwait(false);
        var gateway = await GatewayServer.StartAsync(GatewayConfigReader.ForTopology(scaling.TopologyFile),
            new GatewayServerOptions(new IPEndPoint(IPAddress.Loopback, 0)), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var gatewayDisposal = gateway.ConfigureAwait(false);
        await console.LineAsync($"    gateway at {gateway.BaseUri}").ConfigureAwait(false);
        var client = new PrometheusClient(http, gateway.BaseUri);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loop = autoscaler.RunAsync(null, stop.Token);
        try
        {
            await WaitAsync($"count(up) through the gateway reaches {initial}", async () => await UpCountAsync(client, cancellationToken).ConfigureAwait(false) == initial, loop, cancellationToken).ConfigureAwait(false);
            await console.LineAsync($"    count(up) through the gateway: {initial}, the live targets").ConfigureAwait(false);

            var alerting = await StartAlertingAsync(root, gateway.BaseUri, initial, http, console, cancellationToken).ConfigureAwait(false);
            await using var alertingDisposal = alerting.ConfigureAwait(false);

            await console.StepAsync($"the fleet grows from {initial} to {fleet.Hosts.Count} targets (the file_sd file the autoscaler watches)").ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            await FileSdTargetGroup.WriteFileAsync(targetsFile, groups, cancellationToken).ConfigureAwait(false);
            await WaitAsync($"more than {before} shards hold all {fleet.Hosts.Count} targets with no handover left", async () =>
                autoscaler.Scraping.Count > before && autoscaler.HandoversInProgress == 0
                && await UpCountAsync(client, cancellationToken).ConfigureAwait(false) == fleet.Hosts.Count, loop, cancellationToken).ConfigureAwait(false);
            await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    resharded from {before} to {autoscaler.Scraping.Count} shards in {stopwatch.Elapsed.TotalSeconds:F0} s, each moved target scraped by both shards for {scaling.Overlap.TotalSeconds:F0} s before the old one dropped it")).ConfigureAwait(false);
            await ShardsAsync("shards after", autoscaler, console).ConfigureAwait(false);
            await console.LineAsync($"    count(up) through the gateway: {await UpCountAsync(client, cancellationToken).ConfigureAwait(false)}, the live targets: no target counted twice, none missing").ConfigureAwait(false);

            await alerting.ShowAsync(fleet.Hosts.Count, autoscaler.Scraping.Count, console, cancellationToken).ConfigureAwait(false);

            if (options.Wait)
            {
                await console.LineAsync($"\nThe gateway keeps running at {gateway.BaseUri}, the ruler's results at {alerting.Receiver}, the Alertmanagers at {string.Join(", ", alerting.Alertmanagers)}. Ctrl-C to stop.").ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await console.LineAsync("stopping").ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static AutoscalerOptions ScalingOptions(DemoOptions options, SimulatedFleet fleet, string targetsFile, string root)
    {
        // A budget the whole fleet fills to about two thirds of twice the starting shards: the first quarter of the
        // fleet fits the starting shards, the whole fleet overflows them.
        var total = fleet.Hosts.Sum(static h => (long)h.SeriesCount + UsageReader.SeriesAddedPerTarget);
        var shards = options.Shards;
        return new AutoscalerOptions
        {
            TargetsFile = targetsFile,
            Directory = Path.Combine(root, "shards"),
            // Seconds, not the production defaults, so the handover's overlap (file_sd refresh + 2 scrapes + lookback) is 6 s.
            ScrapeInterval = TimeSpan.FromSeconds(1),
            LookbackDelta = TimeSpan.FromSeconds(3),
            FileSdRefresh = TimeSpan.FromSeconds(1),
            ReconcileInterval = TimeSpan.FromSeconds(1),
            BudgetSeries = Math.Max(1, total * 2 / (3 * shards)),
            DefaultTargetSeries = Math.Max(1, total / fleet.Hosts.Count),
            MinShards = shards,
            MaxShards = 2 * shards,
            Replicas = options.Replicas,
            Retention = TimeSpan.FromHours(1),
        };
    }

    private static async Task ShardsAsync(string title, Autoscaler autoscaler, DemoConsole console)
    {
        var targets = autoscaler.Owners.GroupBy(static o => o.Value, StringComparer.Ordinal).ToDictionary(static g => g.Key, static g => g.Count(), StringComparer.Ordinal);
        var scraping = autoscaler.Scraping;
        await console.LineAsync($"    {title}: {scraping.Count}").ConfigureAwait(false);
        foreach (var shard in scraping)
            await console.LineAsync($"      {shard.Name}: {targets.GetValueOrDefault(shard.Name)} targets at {string.Join(", ", shard.Replicas)}").ConfigureAwait(false);
    }

    private static async Task<int> UpCountAsync(PrometheusClient client, CancellationToken cancellationToken) =>
        (await client.QueryAsync($"count(up{{job=\"{FleetTargets.DefaultJob}\"}} == 1)", cancellationToken: cancellationToken).ConfigureAwait(false)).Series is [var counted, ..]
            ? (int)counted.Samples[0].Value
            : 0;

    /// <summary>
    /// Polls <paramref name="done"/> every second for up to <see cref="s_waitLimit"/>; a failed autoscaler loop ends the
    /// wait at once. A query the gateway refuses while a shard it was just told of starts counts as not done yet: the
    /// demo's client asks for whole answers, and a shard still starting has none to give.
    /// </summary>
    private static async Task WaitAsync(string what, Func<Task<bool>> done, Task loop, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        string? lastError = null;
        while (!await DoneAsync().ConfigureAwait(false))
        {
            if (loop.IsFaulted)
                throw new DemoException($"the autoscaler stopped while waiting until {what}: {loop.Exception!.GetBaseException().Message}");
            if (waited.Elapsed > s_waitLimit)
                throw new DemoException($"gave up after {s_waitLimit.TotalSeconds:F0} s waiting until {what}{(lastError is null ? "" : $" (last error: {lastError})")}");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        async Task<bool> DoneAsync()
        {
            try
            {
                return await done().ConfigureAwait(false);
            }
            catch (PrometheusApiException e)
            {
                lastError = e.Message;
                return false;
            }
        }
    }
}
