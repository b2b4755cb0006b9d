using System.Globalization;
using System.Net;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Fleet;
using Headroom.Harness;
using Headroom.Prometheus;
using Headroom.Prometheus.Aws;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom demo --aws</c>: the CloudWatch story. The simulated fleet runs as tagged EC2 instances in a local
/// moto_server, in its accounts (reached by AssumeRole) and regions; an agent puts each instance's CPUUtilization,
/// NetworkIn and NetworkOut with PutMetricData every period; the collector that <c>headroom cloudwatch serve</c> runs
/// exports them with YACE's names; Prometheus scrapes it on top of the backfilled history of what the collector would
/// have exported; the ETL's <c>aws-ec2</c> profile loads the warehouse and the report reads it.
/// </summary>
internal static class AwsDemo
{
    /// <summary>The Prometheus job of the collector, as the history is labelled.</summary>
    public const string Job = "cloudwatch";

    private static readonly TimeSpan s_period = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after a period ends the collector asks for it. The agent puts a period within seconds of its end;
    /// a minute's delay keeps the collector from asking before that, as CloudWatch's own ingestion delay would.
    /// </summary>
    private static readonly TimeSpan s_delay = TimeSpan.FromMinutes(1);

    private static readonly string[] s_metrics = ["CPUUtilization", "NetworkIn", "NetworkOut"];

    public static async Task<int> RunAsync(DemoCommand.DemoOptions options, string root, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var accounts = fleet.Hosts.Select(h => h.Account).Distinct().Order(StringComparer.Ordinal).ToList();
        var regions = fleet.Hosts.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal).ToList();

        await DemoCommand.Step(output, "starting moto_server (the AWS API)");
        await using var moto = await MotoServer.StartAsync(cancellationToken);
        await output.WriteLineAsync($"    moto_server at {moto.Endpoint}");
        var ambient = new AwsCredentials("AKIDHEADROOMDEMO", "headroom-demo-secret");
        var sandbox = new AwsSandbox(moto.Endpoint, ambient);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };

        await DemoCommand.Step(output, $"running the {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed}) as tagged EC2 instances in {accounts.Count} accounts and {regions.Count} regions");
        var credentials = new Dictionary<string, AwsCredentials>(StringComparer.Ordinal);
        foreach (var account in accounts)
            credentials[account] = await sandbox.AssumeRoleAsync(RoleArn(account), regions[0], cancellationToken);
        var instances = new Dictionary<string, SimulatedHost>(StringComparer.Ordinal);
        foreach (var host in fleet.Hosts)
        {
            var id = await sandbox.RunInstanceAsync(credentials[host.Account], host.Region, host.InstanceType.Name,
                new Dictionary<string, string> { ["Name"] = host.Name, ["headroom"] = "demo" }, cancellationToken);
            instances[id] = host;
        }

        await DemoCommand.Step(output, "putting CPUUtilization, NetworkIn and NetworkOut of every instance with PutMetricData, one datapoint per 5-minute period");
        var agent = new Agent(instances, http, moto.Endpoint, credentials);
        await agent.PutThroughAsync(TimeProvider.System.GetUtcNow(), periods: 3, cancellationToken);
        await output.WriteLineAsync($"    {agent.Datapoints:N0} datapoints for the last 3 periods; an agent keeps putting each period as it ends");

        await DemoCommand.Step(output, "starting the CloudWatch collector (headroom cloudwatch serve) on the fleet's accounts and regions");
        var config = CollectorConfigReader.Read(Config(accounts, regions));
        var metrics = new CollectorMetrics();
        var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), metrics, ambient: () => ambient);
        var loops = new CollectorLoops(collector);
        if (!await loops.RunOnceAsync(s_period, cancellationToken))
            throw new CliException("the collector's first loop against moto_server failed; run 'headroom cloudwatch demo' to see the AWS error");
        var first = loops.Results[s_period];
        await using var exporter = await StartExporterAsync(loops, cancellationToken);
        // The agent and the collector run in the background from here; the finally below stops both.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var agentLoop = agent.RunAsync(stop.Token);
        var collectorLoop = LoopAfterFirstAsync(loops, stop.Token);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {first.Series.Count} series at {exporter.Url}metrics from {first.Queries} queries in {first.GetMetricDataCalls} GetMetricData calls ({metrics.MetricsRequested.Value} metrics requested, {metrics.RequestCount("AssumeRole")} AssumeRole calls)"));

        try
        {
            var end = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);
            var start = end.AddDays(-options.Days);
            var tsdb = Path.Combine(root, "prometheus");
            await DemoCommand.Step(output, $"backfilling {options.Days} days of what the collector would have exported, with the same names and labels");
            var target = exporter.Address.ToString();
            var stats = await ProgressDisplay.RunAsync(error, "    writing history and creating blocks", p =>
                FleetBackfill.CreateBlocksAsync(stream => FleetHistory.WriteGauges(History(first, instances, target),
                    new HistoryOptions(start, end, TimeSpan.FromMinutes(1), Job), stream, p, cancellationToken), tsdb, cancellationToken));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    {stats.Samples:N0} samples in {stats.Series:N0} series ({FleetCommand.Bytes(stats.Bytes)} of OpenMetrics) turned into TSDB blocks by promtool"));

            var rules = Path.Combine(root, "headroom-rules.yml");
            await DemoCommand.Step(output, $"recording rules: generating {rules} for the aws-ec2 profile and recording them over the history");
            await DemoCommand.RecordHistoryAsync("aws-ec2", rules, tsdb, start, end, output, cancellationToken);

            await DemoCommand.Step(output, "starting Prometheus on the backfilled data with the rules, scraping the collector every 30s");
            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
            {
                DataDirectory = tsdb,
                ScrapeConfigsYaml = $"""
                    - job_name: {Job}
                      scrape_interval: 30s
                      static_configs:
                        - targets: ['{target}']
                    """,
                EvaluationInterval = "1m",
                RuleFiles = [rules],
            }, cancellationToken);
            await output.WriteLineAsync($"    Prometheus at {prometheus.BaseUri}");
            using var promHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var client = new PrometheusClient(promHttp, prometheus.BaseUri);
            await DemoCommand.WaitForScrapesAsync(client, Job, 1, "collector target", cancellationToken);
            await output.WriteLineAsync("    the collector is up");

            await DemoCommand.Step(output, "reading the data back through the Prometheus API");
            await SummaryAsync(client, instances, options.Days, output, cancellationToken);

            await DemoCommand.FinishAsync(options, root, client, prometheus.BaseUri, "aws-ec2", start, output, error, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(agentLoop, collectorLoop);
        }
        return ExitCodes.Success;
    }

    private static string RoleArn(string account) => $"arn:aws:iam::{account}:role/headroom-demo";

    /// <summary>The collector's configuration: what <c>deploy/cloudwatch/ec2.yml</c> asks for, in the fleet's accounts.</summary>
    private static string Config(IReadOnlyList<string> accounts, IReadOnlyList<string> regions) => $$"""
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [{{string.Join(", ", regions)}}]
              roles:
        {{string.Join('\n', accounts.Select(a => $"        - roleArn: {RoleArn(a)}"))}}
              searchTags: [{key: headroom, value: demo}]
              exportedTagsOnMetrics: [Name]
              period: {{s_period.TotalSeconds}}
              length: {{s_period.TotalSeconds}}
              delay: {{s_delay.TotalSeconds}}
              metrics:
                - {name: CPUUtilization, statistics: [Average]}
                - {name: NetworkIn, statistics: [Sum]}
                - {name: NetworkOut, statistics: [Sum]}
        """;

    /// <summary>
    /// The collector's series over the history: the labels of its first result plus the job and instance Prometheus
    /// adds, and at each time the value of the last period the collector would have read then.
    /// </summary>
    private static List<HistoryFamily> History(CollectionResult result, IReadOnlyDictionary<string, SimulatedHost> instances, string target)
    {
        var families = new List<HistoryFamily>();
        foreach (var group in result.Series.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var series = new List<HistorySeries>();
            foreach (var s in group)
            {
                var host = instances[InstanceId(s)];
                var labels = s.Labels.Append(new("job", Job)).Append(new("instance", target)).ToList();
                Func<CloudWatchPeriod, double>? pick = s.Name switch
                {
                    "aws_ec2_cpuutilization_average" => static p => p.CpuPercent,
                    "aws_ec2_network_in_sum" => static p => p.NetworkInBytes,
                    "aws_ec2_network_out_sum" => static p => p.NetworkOutBytes,
                    _ => null,
                };
                series.Add(new HistorySeries(labels, t =>
                {
                    var period = LastReadPeriod(t);
                    if (period < host.BootTime)
                        return double.NaN;
                    return pick is null ? s.Value : pick(host.CloudWatchAt(period, s_period));
                }));
            }
            families.Add(new HistoryFamily(group.Key, $"CloudWatch {group.Key}, as the collector exports it", series));
        }
        return families;
    }

    /// <summary>The start of the period the collector reads at <paramref name="time"/>: the last whole one before the delay.</summary>
    private static DateTimeOffset LastReadPeriod(DateTimeOffset time)
    {
        var seconds = (long)s_period.TotalSeconds;
        return DateTimeOffset.FromUnixTimeSeconds(((time - s_delay).ToUnixTimeSeconds() / seconds * seconds) - seconds);
    }

    /// <summary>The instance id of a series: its <c>dimension_InstanceId</c>, or the end of the ARN in <c>name</c>.</summary>
    private static string InstanceId(CollectedSeries series) =>
        series.Label("dimension_InstanceId") ?? series.Label("name")![(series.Label("name")!.LastIndexOf('/') + 1)..];

    private static async Task SummaryAsync(PrometheusClient client, IReadOnlyDictionary<string, SimulatedHost> instances, int days, TextWriter output, CancellationToken cancellationToken)
    {
        var latest = await client.QueryAsync($"aws_ec2_cpuutilization_average{{job=\"{Job}\"}}", cancellationToken: cancellationToken);
        // The collector's last loop read the last period before the delay, or the one before if it has not run since.
        var period = LastReadPeriod(TimeProvider.System.GetUtcNow());
        var same = latest.Series.Count(s =>
        {
            var host = instances[s.Labels["dimension_InstanceId"]];
            return new[] { period, period - s_period }.Any(p => Math.Abs(s.Samples[0].Value - host.CloudWatchAt(p, s_period).CpuPercent) < 1e-6);
        });
        await output.WriteLineAsync($"    latest CPUUtilization of {same} of {instances.Count} instances equals what was put into CloudWatch");

        var cpu = await client.QueryAsync($"avg by (dimension_InstanceId) (avg_over_time(aws_ec2_cpuutilization_average{{job=\"{Job}\"}}[{days}d])) / 100", cancellationToken: cancellationToken);
        var measured = cpu.Series.ToDictionary(s => instances[s.Labels["dimension_InstanceId"]].Id, s => s.Samples[0].Value, StringComparer.Ordinal);
        DemoCommand.CompareWithTruth(output, $"Average CPUUtilization over {days} days, from the collector's series vs the fleet's truth", "instances", instances.Values, measured);
        if (measured.Count < instances.Count)
            throw new CliException($"Prometheus returned CPUUtilization history for {measured.Count} of {instances.Count} instances");
        if (same < instances.Count)
            throw new CliException($"the latest CPUUtilization of {instances.Count - same} instances differs from what was put into CloudWatch");
    }

    /// <summary>The collector's loop, after the first pass the demo ran itself.</summary>
    private static async Task LoopAfterFirstAsync(CollectorLoops loops, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(s_period);
            while (await timer.WaitForNextTickAsync(cancellationToken))
                await loops.RunOnceAsync(s_period, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<Exporter> StartExporterAsync(CollectorLoops loops, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/metrics", async (CancellationToken ct) => Results.Text(await loops.RenderAsync(ct), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(address);
        return new Exporter(app, new IPEndPoint(IPAddress.Loopback, uri.Port), new Uri(address + "/"));
    }

    private sealed record Exporter(WebApplication App, IPEndPoint Address, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync(CancellationToken.None);
            await App.DisposeAsync();
        }
    }

    /// <summary>
    /// Stands in for EC2's own monitoring: puts each instance's statistics for every period that has ended, once, one
    /// datapoint in the middle of the period, so CloudWatch's Average and Sum over the period are that value.
    /// </summary>
    private sealed class Agent(IReadOnlyDictionary<string, SimulatedHost> instances, HttpClient http, Uri endpoint, IReadOnlyDictionary<string, AwsCredentials> credentials)
    {
        private readonly Dictionary<string, CloudWatchPublisher> _publishers = credentials.ToDictionary(
            c => c.Key, c => new CloudWatchPublisher(http, new AwsEndpoints(endpoint), c.Value), StringComparer.Ordinal);

        // Per account and region, the start of the first period not put yet: a failed put is tried again whole on the
        // next tick, and a period is never put twice (CloudWatch would add a second datapoint to its sums).
        private readonly Dictionary<(string Account, string Region), DateTimeOffset> _next = [];

        public long Datapoints { get; private set; }

        /// <summary>Puts every period that ended by <paramref name="now"/> and was not put yet, at most <paramref name="periods"/> back.</summary>
        public async Task PutThroughAsync(DateTimeOffset now, int periods, CancellationToken cancellationToken)
        {
            var seconds = (long)s_period.TotalSeconds;
            var lastStart = DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / seconds * seconds) - seconds);
            foreach (var group in instances.GroupBy(i => (i.Value.Account, i.Value.Region)))
            {
                var points = new List<Datapoint>();
                for (var start = _next.GetValueOrDefault(group.Key, lastStart - (s_period * (periods - 1))); start <= lastStart; start += s_period)
                {
                    foreach (var (id, host) in group)
                    {
                        if (start < host.BootTime)
                            continue;
                        var p = host.CloudWatchAt(start, s_period);
                        var dimensions = new Dictionary<string, string> { ["InstanceId"] = id };
                        var at = start + (s_period / 2);
                        points.Add(new Datapoint(s_metrics[0], dimensions, at, p.CpuPercent, "Percent"));
                        points.Add(new Datapoint(s_metrics[1], dimensions, at, p.NetworkInBytes, "Bytes"));
                        points.Add(new Datapoint(s_metrics[2], dimensions, at, p.NetworkOutBytes, "Bytes"));
                    }
                }
                if (points.Count > 0)
                {
                    await _publishers[group.Key.Account].PutAsync(group.Key.Region, "AWS/EC2", points, cancellationToken).ConfigureAwait(false);
                    Datapoints += points.Count;
                }
                _next[group.Key] = lastStart + s_period;
            }
        }

        /// <summary>Every 15 seconds, puts the periods that have ended since.</summary>
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        await PutThroughAsync(TimeProvider.System.GetUtcNow(), 1, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpRequestException or AwsApiException)
                    {
                        // moto_server is local; what failed is put on the next tick.
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }
}
