using System.Diagnostics;
using System.Globalization;
using Amazon.EC2;
using Amazon.Runtime;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;
using Headroom.Etl;
using Headroom.Etl.CloudWatch;
using Headroom.Prometheus.Aws;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// The direct CloudWatch ETL read against a real moto_server: <c>cloudwatch-etl RESOURCES</c> runs RESOURCES tagged EC2
/// instances, puts a datapoint of each of the aws-ec2 profile's 3 metrics in the last hour and in the day before, then reads one
/// hourly and one daily window as <c>etl --source cloudwatch</c> does and prints one key=value line per window (wall time,
/// GetMetricData calls, metrics requested, series, the modelled monthly bill at 4 metrics). Points are sparse on purpose:
/// moto scans every stored datapoint per query, and the calls and metrics a window costs depend on its length, not on its points.
/// </summary>
internal static class CloudWatchEtlMacro
{
    private static readonly string[] s_metrics = ["CPUUtilization", "NetworkIn", "NetworkOut"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var resources) || resources < 1)
        {
            Console.Error.WriteLine("usage: cloudwatch-etl RESOURCES");
            return 2;
        }
        var credentials = new AwsCredentials("AKIDHEADROOMBENCH", "bench-secret");
        await using var moto = await MotoServer.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonEC2Config { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = "us-east-1", Timeout = TimeSpan.FromMinutes(10) });
        var ids = await CloudWatchMacro.RunInstancesAsync(ec2, resources);
        var hourEnd = EtlRunner.FloorHour(DateTimeOffset.UtcNow);
        var dayEnd = DateTimeOffset.FromUnixTimeSeconds(hourEnd.ToUnixTimeSeconds() / 86_400 * 86_400);
        var publisher = new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), credentials);
        foreach (var metric in s_metrics)
        {
            foreach (var at in new[] { hourEnd.AddMinutes(-30), dayEnd.AddHours(-12) })
                await publisher.PutAsync("us-east-1", "AWS/EC2", ids.Select((id, i) => new Datapoint(metric, new Dictionary<string, string> { ["InstanceId"] = id }, at, i)));
        }

        // The collector benchmark's configuration: EC2, four metrics at 300 s (the profile reads three of them).
        var config = CollectorConfigReader.Read(Headroom.Testing.CloudWatchConfigs.FourMetrics);
        var profile = ProfileLoader.Load("aws-ec2");
        var options = new EtlOptions { Profile = profile, Source = "cloudwatch" };
        foreach (var (name, start, end) in new[] { ("1h", hourEnd.AddHours(-1), hourEnd), ("1d", dayEnd.AddDays(-1), dayEnd) })
        {
            // A new collector per window: each ETL run is its own process, with discovery and ListMetrics not yet cached.
            var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), new CollectorMetrics(), ambient: () => credentials);
            var target = collector.Targets()[0];
            var source = new CloudWatchUtilizationSource(collector, target, CloudWatchEtl.Wanted(config, profile));
            var watch = Stopwatch.StartNew();
            var window = await source.ReadAsync(options, start, end, CancellationToken.None);
            var seconds = watch.Elapsed.TotalSeconds;
            var rows = window.Rows.Sum(r => r.Count);
            var modelled = DirectReadCost.Estimate(config, resources, end - start);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"resources={resources} window={name} seconds={seconds:F2} get_metric_data_calls={source.Requests} metrics_requested={source.MetricsRequested} " +
                $"series={source.SeriesRead} hourly_rows={rows} modelled_calls={modelled.CallsPerWindow} modelled_usd_month_4_metrics={modelled.TotalUsdPerMonth:F2}"));
        }
        return 0;
    }
}
