using System.Globalization;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Fleet;
using Headroom.Prometheus.Aws;
using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Demo;

/// <summary>
/// <c>headroom demo --aws</c>: the CloudWatch story. The simulated fleet runs as tagged EC2 instances in a local
/// moto_server, in its accounts (reached by AssumeRole) and regions; an agent puts each instance's CPUUtilization,
/// NetworkIn and NetworkOut with PutMetricData every period; the collector that <c>headroom cloudwatch serve</c> runs
/// exports them with YACE's names; Prometheus scrapes it on top of the backfilled history of what the collector would
/// have exported; the ETL's <c>aws-ec2</c> profile loads the warehouse and the report reads it.
/// </summary>
internal static partial class AwsStory
{
    /// <summary>The Prometheus job of the collector, as the history is labelled.</summary>
    public const string Job = "cloudwatch";

    /// <summary>The CloudWatch period the agent puts and the collector reads.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after a period ends the collector asks for it. The agent puts a period within seconds of its end;
    /// a minute's delay keeps the collector from asking before that, as CloudWatch's own ingestion delay would.
    /// </summary>
    private static readonly TimeSpan s_delay = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(DemoOptions options, string root, DemoConsole console, CancellationToken cancellationToken)
    {
        var fleet = SimulatedFleet.Create(options.Hosts, options.Seed);
        var accounts = fleet.Hosts.Select(h => h.Account).Distinct().Order(StringComparer.Ordinal).ToList();
        var regions = fleet.Hosts.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal).ToList();

        await console.StepAsync("starting moto_server (the AWS API)").ConfigureAwait(false);
        var moto = await MotoServer.StartAsync(cancellationToken).ConfigureAwait(false);
        await using var motoDisposal = moto.ConfigureAwait(false);
        await console.LineAsync($"    moto_server at {moto.Endpoint}").ConfigureAwait(false);
        var ambient = new AwsCredentials("AKIDHEADROOMDEMO", "headroom-demo-secret");
        var sandbox = new AwsSandbox(moto.Endpoint, ambient);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };

        await console.StepAsync($"running the {fleet.Hosts.Count} simulated hosts (seed {fleet.Seed}) as tagged EC2 instances in {accounts.Count} accounts and {regions.Count} regions").ConfigureAwait(false);
        var credentials = new Dictionary<string, AwsCredentials>(StringComparer.Ordinal);
        foreach (var account in accounts)
            credentials[account] = await sandbox.AssumeRoleAsync(RoleArn(account), regions[0], cancellationToken).ConfigureAwait(false);
        var instances = new Dictionary<string, SimulatedHost>(StringComparer.Ordinal);
        foreach (var host in fleet.Hosts)
        {
            var id = await sandbox.RunInstanceAsync(credentials[host.Account], host.Region, host.InstanceType.Name,
                new Dictionary<string, string> { ["Name"] = host.Name, ["headroom"] = "demo" }, cancellationToken).ConfigureAwait(false);
            instances[id] = host;
        }

        await console.StepAsync("putting CPUUtilization, NetworkIn and NetworkOut of every instance with PutMetricData, one datapoint per 5-minute period").ConfigureAwait(false);
        var agent = new CloudWatchAgent(instances, http, moto.Endpoint, credentials);
        await agent.PutThroughAsync(TimeProvider.System.GetUtcNow(), periods: 3, cancellationToken).ConfigureAwait(false);
        await console.LineAsync($"    {agent.Datapoints:N0} datapoints for the last 3 periods; an agent keeps putting each period as it ends").ConfigureAwait(false);

        await console.StepAsync("starting the CloudWatch collector (headroom cloudwatch serve) on the fleet's accounts and regions").ConfigureAwait(false);
        var config = CollectorConfigReader.Read(Config(accounts, regions));
        var metrics = new CollectorMetrics();
        var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), metrics, ambient: () => ambient);
        var loops = new CollectorLoops(collector);
        if (!await loops.RunOnceAsync(Period, cancellationToken).ConfigureAwait(false))
            throw new DemoException("the collector's first loop against moto_server failed; run 'headroom cloudwatch demo' to see the AWS error");
        var first = loops.Results[Period];
        var exporter = await CollectorExporter.StartAsync(loops, cancellationToken).ConfigureAwait(false);
        await using var exporterDisposal = exporter.ConfigureAwait(false);
        // The agent and the collector run in the background from here; the finally below stops both.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var agentLoop = agent.RunAsync(stop.Token);
        var collectorLoop = LoopAfterFirstAsync(loops, stop.Token);
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
            $"    {first.Series.Count} series at {exporter.Url}metrics from {first.Queries} queries in {first.GetMetricDataCalls} GetMetricData calls ({metrics.MetricsRequested.Value} metrics requested, {metrics.RequestCount("AssumeRole")} AssumeRole calls)")).ConfigureAwait(false);

        try
        {
            var end = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);
            var start = end.AddDays(-options.Days);
            var tsdb = Path.Combine(root, "prometheus");
            await console.StepAsync($"backfilling {options.Days} days of what the collector would have exported, with the same names and labels").ConfigureAwait(false);
            var target = exporter.Address.ToString();
            var stats = await console.Progress.RunAsync("    writing history and creating blocks", p =>
                Promtool.BackfillAsync(stream => FleetHistory.WriteGauges([.. History(first, instances, target), .. WasteFleet(options, end).History(Job, target)],
                    new HistoryOptions(start, end, TimeSpan.FromMinutes(1), Job), stream, p, cancellationToken), tsdb, cancellationToken)).ConfigureAwait(false);
            await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    {stats.Samples:N0} samples in {stats.Series:N0} series ({ByteSize.Format(stats.Bytes)} of OpenMetrics) turned into TSDB blocks by promtool")).ConfigureAwait(false);

            var rules = Path.Combine(root, "headroom-rules.yml");
            await console.StepAsync($"recording rules: generating {rules} for the aws-ec2 profile and recording them over the history").ConfigureAwait(false);
            await StorySteps.RecordHistoryAsync("aws-ec2", rules, tsdb, start, end, console, cancellationToken).ConfigureAwait(false);

            await console.StepAsync("starting Prometheus on the backfilled data with the rules, scraping the collector every 30s").ConfigureAwait(false);
            var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions
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
            }, cancellationToken).ConfigureAwait(false);
            await using var prometheusDisposal = prometheus.ConfigureAwait(false);
            await console.LineAsync($"    Prometheus at {prometheus.BaseUri}").ConfigureAwait(false);
            using var promHttp = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            var client = new PrometheusClient(promHttp, prometheus.BaseUri);
            await StorySteps.WaitForScrapesAsync(client, Job, 1, "collector target", cancellationToken).ConfigureAwait(false);
            await console.LineAsync("    the collector is up").ConfigureAwait(false);

            await console.StepAsync("reading the data back through the Prometheus API").ConfigureAwait(false);
            await SummaryAsync(client, instances, options.Days, console, cancellationToken).ConfigureAwait(false);

            await WasteAsync(options, root, client, prometheus.BaseUri, start, end, console, cancellationToken).ConfigureAwait(false);
            await StoryEnding.RunAsync(options, root, client, prometheus.BaseUri, "aws-ec2", start, console, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(agentLoop, collectorLoop).ConfigureAwait(false);
        }
    }

    internal static string RoleArn(string account) => $"arn:aws:iam::{account}:role/headroom-demo";

    /// <summary>The collector's configuration: what <c>deploy/cloudwatch/ec2.yml</c> asks for, in the fleet's accounts.</summary>
    internal static string Config(IReadOnlyList<string> accounts, IReadOnlyList<string> regions) => $$"""
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [{{string.Join(", ", regions)}}]
              roles:
        {{string.Join('\n', accounts.Select(a => $"        - roleArn: {RoleArn(a)}"))}}
              searchTags: [{key: headroom, value: demo}]
              exportedTagsOnMetrics: [Name]
              period: {{Period.TotalSeconds}}
              length: {{Period.TotalSeconds}}
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
                    return pick is null ? s.Value : pick(host.CloudWatchAt(period, Period));
                }));
            }
            families.Add(new HistoryFamily(group.Key, $"CloudWatch {group.Key}, as the collector exports it", series));
        }
        return families;
    }

    /// <summary>The start of the period the collector reads at <paramref name="time"/>: the last whole one before the delay.</summary>
    private static DateTimeOffset LastReadPeriod(DateTimeOffset time)
    {
        var seconds = (long)Period.TotalSeconds;
        return DateTimeOffset.FromUnixTimeSeconds(((time - s_delay).ToUnixTimeSeconds() / seconds * seconds) - seconds);
    }

    /// <summary>The instance id of a series: its <c>dimension_InstanceId</c>, or the end of the ARN in <c>name</c>.</summary>
    private static string InstanceId(CollectedSeries series) =>
        series.Label("dimension_InstanceId") ?? series.Label("name")![(series.Label("name")!.LastIndexOf('/') + 1)..];

    private static async Task SummaryAsync(PrometheusClient client, IReadOnlyDictionary<string, SimulatedHost> instances, int days, DemoConsole console, CancellationToken cancellationToken)
    {
        var latest = await client.QueryAsync($"aws_ec2_cpuutilization_average{{job=\"{Job}\"}}", cancellationToken: cancellationToken).ConfigureAwait(false);
        // The collector's last loop read the last period before the delay, or the one before if it has not run since.
        var period = LastReadPeriod(TimeProvider.System.GetUtcNow());
        var same = latest.Series.Count(s =>
        {
            var host = instances[s.Labels["dimension_InstanceId"]];
            return new[] { period, period - Period }.Any(p => Math.Abs(s.Samples[0].Value - host.CloudWatchAt(p, Period).CpuPercent) < 1e-6);
        });
        await console.LineAsync($"    latest CPUUtilization of {same} of {instances.Count} instances equals what was put into CloudWatch").ConfigureAwait(false);

        var cpu = await client.QueryAsync($"avg by (dimension_InstanceId) (avg_over_time(aws_ec2_cpuutilization_average{{job=\"{Job}\"}}[{days}d])) / 100", cancellationToken: cancellationToken).ConfigureAwait(false);
        var measured = cpu.Series.ToDictionary(s => instances[s.Labels["dimension_InstanceId"]].Id, s => s.Samples[0].Value, StringComparer.Ordinal);
        StorySteps.CompareWithTruth(console, $"Average CPUUtilization over {days} days, from the collector's series vs the fleet's truth", "instances", instances.Values, measured);
        if (measured.Count < instances.Count)
            throw new DemoException($"Prometheus returned CPUUtilization history for {measured.Count} of {instances.Count} instances");
        if (same < instances.Count)
            throw new DemoException($"the latest CPUUtilization of {instances.Count - same} instances differs from what was put into CloudWatch");
    }

    /// <summary>The collector's loop, after the first pass the demo ran itself.</summary>
    private static async Task LoopAfterFirstAsync(CollectorLoops loops, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Period);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await loops.RunOnceAsync(Period, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
