using System.CommandLine;
using System.Globalization;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Fleet;
using Headroom.Harness;
using Headroom.Prometheus.Aws;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom cloudwatch demo</c>: the simulated fleet as EC2 instances in a local moto_server, in the fleet's accounts
/// (reached by AssumeRole) and regions, with their CPU put by PutMetricData; one collection loop reads it back.
/// </summary>
internal static class CloudWatchDemo
{
    private static readonly TimeSpan s_period = TimeSpan.FromMinutes(5);

    public static Command Create()
    {
        var hosts = SharedOptions.Hosts(12);
        var seed = SharedOptions.Seed();
        var command = new Command("demo",
            "Start a local moto_server, create the simulated fleet there as tagged EC2 instances in its accounts and regions, put an hour of their CPU with PutMetricData, collect it once and compare.")
        {
            hosts, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var fleet = SimulatedFleet.Create(parse.GetValue(hosts), parse.GetValue(seed));
            await output.WriteLineAsync("==> starting moto_server (the AWS API)");
            await using var moto = await MotoServer.StartAsync(cancellationToken);
            var ambient = new AwsCredentials("AKIDHEADROOMDEMO", "headroom-demo-secret");
            var sandbox = new AwsSandbox(moto.Endpoint, ambient);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var publisher = new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), ambient);

            var now = TimeProvider.System.GetUtcNow();
            var accounts = fleet.Hosts.Select(h => h.Account).Distinct().Order(StringComparer.Ordinal).ToList();
            var regions = fleet.Hosts.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal).ToList();
            await output.WriteLineAsync($"==> {fleet.Hosts.Count} hosts as EC2 instances in {accounts.Count} accounts and {regions.Count} regions, an hour of CPUUtilization each");
            var credentials = new Dictionary<string, AwsCredentials>(StringComparer.Ordinal);
            foreach (var account in accounts)
                credentials[account] = await sandbox.AssumeRoleAsync(RoleArn(account), regions[0], cancellationToken);

            // One datapoint in the middle of each of the last 12 five-minute periods.
            var lastEnd = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 300 * 300);
            var expected = new Dictionary<string, (SimulatedHost Host, double Cpu)>(StringComparer.Ordinal);
            foreach (var host in fleet.Hosts)
            {
                var c = credentials[host.Account];
                var id = await sandbox.RunInstanceAsync(c, host.Region, host.InstanceType.Name, new Dictionary<string, string> { ["Name"] = host.Name, ["headroom"] = "demo" }, cancellationToken);
                var points = Enumerable.Range(1, 12).Select(k => lastEnd.AddSeconds(150 - (300 * k)))
                    .Select(t => new Datapoint("CPUUtilization", new Dictionary<string, string> { ["InstanceId"] = id }, t, Math.Round(host.CpuUtilizationAt(t) * 100, 3), "Percent"))
                    .ToList();
                await new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), c).PutAsync(host.Region, "AWS/EC2", points, cancellationToken);
                expected[id] = (host, points[0].Value);
            }

            var config = CollectorConfigReader.Read($"""
                apiVersion: v1alpha1
                discovery:
                  jobs:
                    - type: AWS/EC2
                      regions: [{string.Join(", ", regions)}]
                      roles:
                {string.Join('\n', accounts.Select(a => $"        - roleArn: {RoleArn(a)}"))}
                      searchTags: [{"{"}key: headroom, value: demo{"}"}]
                      exportedTagsOnMetrics: [Name]
                      metrics:
                        - {"{"}name: CPUUtilization, statistics: [Average], period: 300{"}"}
                """);
            await output.WriteLineAsync("==> one collection loop (GetResources, DescribeInstances, ListMetrics, GetMetricData), as 'headroom cloudwatch serve' runs it");
            var metrics = new CollectorMetrics();
            var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), metrics, ambient: () => ambient);
            var result = await collector.CollectAsync(cancellationToken: cancellationToken);

            var table = new Table().AddColumns("host", "account", "region", "type", "put", "exported", "");
            var matched = 0;
            foreach (var series in result.Series.Where(s => s.Name == "aws_ec2_cpuutilization_average").OrderBy(s => s.Label("tag_Name"), StringComparer.Ordinal))
            {
                var (host, cpu) = expected[series.Label("dimension_InstanceId")!];
                var same = Math.Abs(series.Value - cpu) < 1e-9 && series.Label("account_id") == host.Account && series.Label("region") == host.Region;
                matched += same ? 1 : 0;
                table.AddRow(host.Name, series.Label("account_id")!, series.Label("region")!, host.InstanceType.Name,
                    cpu.ToString("F1", CultureInfo.InvariantCulture) + " %", series.Value.ToString("F1", CultureInfo.InvariantCulture) + " %", same ? "ok" : "DIFFERENT");
            }
            FleetCommand.Console(output).Write(table);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{matched} of {fleet.Hosts.Count} hosts exported with the CPU that was put, in {metrics.RequestCount("GetMetricData")} GetMetricData calls ({metrics.MetricsRequested.Value} metrics requested), {metrics.RequestCount("AssumeRole")} AssumeRole calls"));
            return matched == fleet.Hosts.Count ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static string RoleArn(string account) => $"arn:aws:iam::{account}:role/headroom-demo";
}
