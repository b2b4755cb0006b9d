using System.Diagnostics;
using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;
using Headroom.Prometheus.Aws;
using Headroom.Servers;

namespace Headroom.Benchmarks;

/// <summary>
/// The CloudWatch collector against a real moto_server: <c>cloudwatch RESOURCES</c> runs RESOURCES tagged EC2 instances,
/// puts one datapoint for each of 4 metrics per instance, runs one collection loop and prints one line of key=value pairs
/// (loop time, API calls, metrics requested, series, allocations, peak working set, modelled monthly cost).
/// </summary>
internal static class CloudWatchMacro
{
    private static readonly (string Metric, string Statistic)[] s_metrics =
        [("CPUUtilization", "Average"), ("NetworkIn", "Sum"), ("NetworkOut", "Sum"), ("StatusCheckFailed", "Maximum")];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var resources) || resources < 1)
        {
            Console.Error.WriteLine("usage: cloudwatch RESOURCES");
            return 2;
        }
        var credentials = new AwsCredentials("AKIDHEADROOMBENCH", "bench-secret");
        await using var moto = await MotoServer.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        var seed = Stopwatch.StartNew();

        using var ec2 = new AmazonEC2Client(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonEC2Config { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = "us-east-1", Timeout = TimeSpan.FromMinutes(10) });
        var ids = await RunInstancesAsync(ec2, resources);

        var config = CollectorConfigReader.Read($$"""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: AWS/EC2
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  period: 300
                  metrics:
            {{string.Join('\n', s_metrics.Select(m => $"        - {{name: {m.Metric}, statistics: [{m.Statistic}]}}"))}}
            """);
        var now = DateTimeOffset.UtcNow;
        var at = Collector.Window(config.Discovery[0].Metrics[0], now).End.AddSeconds(-60);
        var publisher = new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), credentials);
        foreach (var (metric, _) in s_metrics)
        {
            await publisher.PutAsync("us-east-1", "AWS/EC2",
                ids.Select((id, i) => new Datapoint(metric, new Dictionary<string, string> { ["InstanceId"] = id }, at, i)));
        }
        var seedSeconds = seed.Elapsed.TotalSeconds;

        var metrics = new CollectorMetrics();
        var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), metrics, ambient: () => credentials);
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var loop = Stopwatch.StartNew();
        var result = await collector.CollectAsync();
        var loopSeconds = loop.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var self = Process.GetCurrentProcess();
        var wrong = result.Series.Count(s => s.Name == "aws_ec2_cpuutilization_average" && s.Value != ids.IndexOf(s.Label("dimension_InstanceId")!));
        var estimate = CostModel.Estimate(config, resources);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"resources={resources} seed_seconds={seedSeconds:F1} loop_seconds={loopSeconds:F2} series={result.Series.Count} queries={result.Queries} " +
            $"get_metric_data_calls={metrics.RequestCount("GetMetricData")} metrics_requested={metrics.MetricsRequested.Value} list_metrics_calls={metrics.RequestCount("ListMetrics")} " +
            $"get_resources_calls={metrics.RequestCount("GetResources")} describe_instances_calls={metrics.RequestCount("DescribeInstances")} wrong_values={wrong} " +
            $"allocated_mb={allocated / 1e6:F1} peak_working_set_mb={self.PeakWorkingSet64 / 1e6:F0} modelled_usd_month={estimate.TotalUsdPerMonth:F2}"));
        return wrong == 0 ? 0 : 1;
    }

    /// <summary>Runs <paramref name="resources"/> m5.large instances tagged env=prod, 500 a request; returns their ids.</summary>
    internal static async Task<List<string>> RunInstancesAsync(AmazonEC2Client ec2, int resources)
    {
        var ids = new List<string>();
        for (var left = resources; left > 0; left -= 500)
        {
            var count = Math.Min(500, left);
            var run = await ec2.RunInstancesAsync(new RunInstancesRequest
            {
                ImageId = "ami-12c6146b", MinCount = count, MaxCount = count, InstanceType = InstanceType.M5Large,
                TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag("env", "prod")] }],
            });
            ids.AddRange(run.Reservation.Instances.Select(i => i.InstanceId));
        }
        return ids;
    }
}
