using System.Globalization;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.Fleet;
using Headroom.Prometheus.Aws;
using Headroom.Servers;
using Spectre.Console;

namespace Headroom.Demo;

/// <summary>
/// <c>headroom cloudwatch demo</c>: the simulated fleet as EC2 instances in a local moto_server, in the fleet's accounts
/// (reached by AssumeRole) and regions, with their CPU put by PutMetricData; one collection loop reads it back.
/// </summary>
public static class CloudWatchRoundTrip
{
    /// <summary>Puts an hour of CPU for <paramref name="hosts"/> simulated hosts, collects it once and shows put beside exported.</summary>
    /// <returns>How many hosts were exported with the CPU, account and region that were put, of how many.</returns>
    /// <exception cref="MissingBinaryException">moto_server is not installed.</exception>
    public static async Task<(int Matched, int Hosts)> RunAsync(int hosts, long seed, DemoConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var fleet = SimulatedFleet.Create(hosts, seed);
        await console.StepAsync("starting moto_server (the AWS API)").ConfigureAwait(false);
        var moto = await MotoServer.StartAsync(cancellationToken).ConfigureAwait(false);
        await using var motoDisposal = moto.ConfigureAwait(false);
        var ambient = new AwsCredentials("AKIDHEADROOMDEMO", "headroom-demo-secret");
        var sandbox = new AwsSandbox(moto.Endpoint, ambient);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };

        var now = TimeProvider.System.GetUtcNow();
        var accounts = fleet.Hosts.Select(h => h.Account).Distinct().Order(StringComparer.Ordinal).ToList();
        var regions = fleet.Hosts.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal).ToList();
        await console.StepAsync($"{fleet.Hosts.Count} hosts as EC2 instances in {accounts.Count} accounts and {regions.Count} regions, an hour of CPUUtilization each").ConfigureAwait(false);
        var credentials = new Dictionary<string, AwsCredentials>(StringComparer.Ordinal);
        foreach (var account in accounts)
            credentials[account] = await sandbox.AssumeRoleAsync(AwsStory.RoleArn(account), regions[0], cancellationToken).ConfigureAwait(false);

        // One datapoint in the middle of each of the last 12 five-minute periods.
        var lastEnd = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / 300 * 300);
        var expected = new Dictionary<string, (SimulatedHost Host, double Cpu)>(StringComparer.Ordinal);
        foreach (var host in fleet.Hosts)
        {
            var c = credentials[host.Account];
            var id = await sandbox.RunInstanceAsync(c, host.Region, host.InstanceType.Name, new Dictionary<string, string> { ["Name"] = host.Name, ["headroom"] = "demo" }, cancellationToken).ConfigureAwait(false);
            var points = Enumerable.Range(1, 12).Select(k => lastEnd.AddSeconds(150 - (300 * k)))
                .Select(t => new Datapoint("CPUUtilization", new Dictionary<string, string> { ["InstanceId"] = id }, t, Math.Round(host.CpuUtilizationAt(t) * 100, 3), "Percent"))
                .ToList();
            await new CloudWatchPublisher(http, new AwsEndpoints(moto.Endpoint), c).PutAsync(host.Region, "AWS/EC2", points, cancellationToken).ConfigureAwait(false);
            expected[id] = (host, points[0].Value);
        }

        var config = CollectorConfigReader.Read($"""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: AWS/EC2
                  regions: [{string.Join(", ", regions)}]
                  roles:
            {string.Join('\n', accounts.Select(a => $"        - roleArn: {AwsStory.RoleArn(a)}"))}
                  searchTags: [{"{"}key: headroom, value: demo{"}"}]
                  exportedTagsOnMetrics: [Name]
                  metrics:
                    - {"{"}name: CPUUtilization, statistics: [Average], period: 300{"}"}
            """);
        await console.StepAsync("one collection loop (GetResources, DescribeInstances, ListMetrics, GetMetricData), as 'headroom cloudwatch serve' runs it").ConfigureAwait(false);
        var metrics = new CollectorMetrics();
        // The collector reads the last complete period as of when the data was put: putting it (RunInstances and
        // PutMetricData for every host) can cross a 5-minute boundary on a loaded machine, and the collector would then
        // ask for a period with nothing in it (1 of 4 test runs at load average 30).
        var collector = new Collector(config, http, new AwsEndpoints(moto.Endpoint), metrics, new PutTimeClock(now), ambient: () => ambient);
        var result = await collector.CollectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

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
        console.Tables.Write(table);
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{matched} of {fleet.Hosts.Count} hosts exported with the CPU that was put, in {metrics.RequestCount("GetMetricData")} GetMetricData calls ({metrics.MetricsRequested.Value} metrics requested), {metrics.RequestCount("AssumeRole")} AssumeRole calls")).ConfigureAwait(false);
        return (matched, fleet.Hosts.Count);
    }

    /// <summary>A clock that reads the instant the demo's data was put, for the collector's choice of period.</summary>
    private sealed class PutTimeClock(DateTimeOffset putAt) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => putAt;
    }
}
