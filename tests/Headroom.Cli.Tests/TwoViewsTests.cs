using System.Globalization;
using System.Text.Json;
using Headroom.CloudWatch.Aws;
using Headroom.Demo;
using Headroom.Fleet;
using Headroom.Prometheus.Aws;
using Headroom.Servers;

namespace Headroom.Cli.Tests;

/// <summary>
/// The cross-validation of sources, end to end: six simulated hosts seen twice, by node_exporter (their history in a real
/// Prometheus, with the instance ids EC2 service discovery would give as target labels) and by CloudWatch (the same hosts run as
/// EC2 instances in moto_server, in their accounts and regions, their statistics put by the demo's simulated CloudWatch agent).
/// One host's CloudWatch CPU is deliberately skewed by 30 points in the last 3 of the 6 hours (the simulator's knob, known truth):
/// <c>etl status</c> and every format of the report name that host, and no other.
/// </summary>
public sealed class TwoViewsTests : IDisposable
{
    private const double Skew = 30;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-two-views-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task A_host_whose_cloudwatch_view_is_skewed_is_the_one_data_quality_finding_in_etl_status_and_in_every_report_format()
    {
        // Six whole hours that ended at least an hour ago (CloudWatch's path refuses windows in the future).
        var end = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-1);
        var start = end.AddHours(-6);
        var plain = SimulatedFleet.Create(6, 14);
        // The idle host: its CPU is near 0, so +30 points is never clamped and every skewed hour disagrees by ~30 points.
        var skewed = plain.Hosts.First(h => h.CpuProfile == CpuProfile.Idle);
        var fleet = plain.WithCloudWatchCpuSkew(skewed.Id, Skew, start.AddHours(3));
        Assert.Equal([skewed.Id], FleetTruth.Of(fleet).Hosts.Where(h => h.CloudWatchCpuSkew != 0).Select(h => h.Id));

        // The CloudWatch view: the hosts as EC2 instances in moto, in their accounts (AssumeRole) and regions.
        await using var moto = await MotoServer.StartAsync();
        var ambient = new AwsCredentials("AKIDCLITEST", "cli-test-secret");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", ambient.AccessKeyId);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", ambient.SecretAccessKey);
        var sandbox = new AwsSandbox(moto.Endpoint, ambient);
        var accounts = fleet.Hosts.Select(h => h.Account).Distinct().Order(StringComparer.Ordinal).ToList();
        var regions = fleet.Hosts.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal).ToList();
        var credentials = new Dictionary<string, AwsCredentials>(StringComparer.Ordinal);
        foreach (var account in accounts)
            credentials[account] = await sandbox.AssumeRoleAsync(AwsStory.RoleArn(account), regions[0]);
        var instances = new Dictionary<string, SimulatedHost>(StringComparer.Ordinal);
        foreach (var host in fleet.Hosts)
        {
            var id = await sandbox.RunInstanceAsync(credentials[host.Account], host.Region, host.InstanceType.Name,
                new Dictionary<string, string> { ["Name"] = host.Name, ["headroom"] = "demo" });
            instances[id] = host;
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var agent = new CloudWatchAgent(instances, http, moto.Endpoint, credentials);
        await agent.PutThroughAsync(end, periods: 72, CancellationToken.None);
        Assert.Equal(6 * 72 * 3, agent.Datapoints);
        var idOf = instances.ToDictionary(i => i.Value.Id, i => i.Key, StringComparer.Ordinal);

        // The node_exporter view: the same hosts' history, their instance_id target label the id moto gave them.
        var tsdb = Path.Combine(_directory.FullName, "tsdb");
        await Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, new HistoryOptions(start.AddMinutes(-10), end, TimeSpan.FromMinutes(1))
        {
            TargetLabels = true,
            InstanceIds = idOf,
        }, stream), tsdb);
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });

        var db = "sqlite:" + Path.Combine(_directory.FullName, "w.db");
        string[] window = ["--from", start.ToString("O"), "--to", end.ToString("O"), "--db", db];
        var node = await Cli.RunAsync(["etl", "backfill", "--source", prometheus.BaseUri.AbsoluteUri, "--profile", "node", "--window", "1h", .. window]);
        Assert.True(node.ExitCode == 0, node.Error + node.Output);
        var config = Path.Combine(_directory.FullName, "yace.yml");
        await File.WriteAllTextAsync(config, AwsStory.Config(accounts, regions));   // the demo's own
        var cloud = await Cli.RunAsync(["etl", "backfill", "--source", "cloudwatch", "--cloudwatch-config", config, "--aws-endpoint-url", moto.Endpoint.ToString(), "--window", "6h", .. window]);
        Assert.True(cloud.ExitCode == 0, cloud.Error + cloud.Output);

        // etl status: the skewed host, with both values, and no other host.
        var status = await Cli.RunAsync("etl", "status", "--db", db);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Contains("disagree about 1 host: hourly CPU differs by more than 10.0%", status.Output, StringComparison.Ordinal);
        Assert.Contains(idOf[skewed.Id], status.Output, StringComparison.Ordinal);
        Assert.Contains("3 of 6", status.Output, StringComparison.Ordinal);
        foreach (var other in fleet.Hosts.Where(h => h.Id != skewed.Id))
            Assert.False(status.Output.Contains(idOf[other.Id], StringComparison.Ordinal), $"{other.Id} ({idOf[other.Id]}) is not skewed but is named:\n{status.Output}");

        // etl status --format json: the same finding in the report's data_quality shape, beside the status it always had.
        var statusJson = await Cli.RunAsync("etl", "status", "--db", db, "--format", "json");
        Assert.True(statusJson.ExitCode == 0, statusJson.Error);
        using (var document = JsonDocument.Parse(statusJson.Output))
        {
            // Backfills (both views here) move no watermark; their runs are listed.
            Assert.Contains(document.RootElement.GetProperty("recent_runs").EnumerateArray(), r => r.GetProperty("profile").GetString() == "node");
            Assert.Contains(document.RootElement.GetProperty("recent_runs").EnumerateArray(), r => r.GetProperty("profile").GetString() == "aws-ec2");
            var quality = document.RootElement.GetProperty("data_quality");
            Assert.Equal(0.10, quality.GetProperty("cpu_tolerance").GetDouble());
            var finding = Assert.Single(quality.GetProperty("disagreements").EnumerateArray());
            Assert.Equal(idOf[skewed.Id], finding.GetProperty("instance_id").GetString());
            Assert.Equal(3, finding.GetProperty("hours_disagreeing").GetInt32());
        }

        // The report, on either view's profile: JSON names the host and no other, with both values and the tolerance.
        string[] report = ["report", "rightsizing", "--db", db, "--days", "2", "--low-days", "1"];
        foreach (var profile in new[] { "node", "aws-ec2" })
        {
            var json = await Cli.RunAsync([.. report, "--profile", profile, "--format", "json"]);
            Assert.True(json.ExitCode == 0, json.Error);
            using var document = JsonDocument.Parse(json.Output);
            var quality = document.RootElement.GetProperty("data_quality");
            Assert.Equal(0.10, quality.GetProperty("cpu_tolerance").GetDouble());
            var finding = Assert.Single(quality.GetProperty("disagreements").EnumerateArray());
            Assert.Equal(idOf[skewed.Id], finding.GetProperty("instance_id").GetString());
            Assert.Equal($"instance=\"{skewed.Id}\"", finding.GetProperty("host_resource").GetString());
            Assert.Equal((6, 3), (finding.GetProperty("hours_compared").GetInt32(), finding.GetProperty("hours_disagreeing").GetInt32()));
            var (hostCpu, cloudCpu) = (finding.GetProperty("host_cpu").GetDouble(), finding.GetProperty("cloud_cpu").GetDouble());
            Assert.True(Math.Abs(cloudCpu - hostCpu - (Skew / 100)) < 0.02, $"node_exporter {hostCpu}, CloudWatch {cloudCpu}: not {Skew} points apart");
            Assert.True(finding.GetProperty("worst_hour").GetDateTimeOffset() >= start.AddHours(3));
        }

        // Table, CSV and HTML show the same finding.
        var table = await Cli.RunAsync([.. report, "--profile", "node"]);
        Assert.Contains("Data quality: node_exporter (node) and CloudWatch (aws-ec2) disagree about 1 host", table.Output, StringComparison.Ordinal);
        Assert.Contains(idOf[skewed.Id], table.Output, StringComparison.Ordinal);
        var csv = (await Cli.RunAsync([.. report, "--profile", "node", "--format", "csv"])).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",instance_id,cpu_tolerance,hours_compared,hours_disagreeing,worst_hour,node_exporter_cpu,cloudwatch_cpu", csv[0], StringComparison.Ordinal);
        var flagged = Assert.Single(csv.Skip(1), l => l.Contains(idOf[skewed.Id], StringComparison.Ordinal));
        Assert.StartsWith($"\"instance=\"\"{skewed.Id}\"\"\"", flagged, StringComparison.Ordinal);
        Assert.Contains($",{idOf[skewed.Id]},0.1,6,3,", flagged, StringComparison.Ordinal);
        Assert.Equal(6, csv.Length - 1);
        var page = Path.Combine(_directory.FullName, "report.html");
        Assert.Equal(0, (await Cli.RunAsync([.. report, "--profile", "aws-ec2", "--format", "html", "--out", page])).ExitCode);
        var html = await File.ReadAllTextAsync(page);
        Assert.Contains("<section id=\"data-quality\">", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<tr data-instance=\"([^\"]+)\"").Select(m => m.Groups[1].Value), v => v == idOf[skewed.Id]);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<tr data-instance="));

        // A tolerance above the skew: no finding anywhere.
        var wide = await Cli.RunAsync([.. report, "--profile", "node", "--format", "json", "--cpu-tolerance", "0.5"]);
        using (var document = JsonDocument.Parse(wide.Output))
            Assert.Empty(document.RootElement.GetProperty("data_quality").GetProperty("disagreements").EnumerateArray());
        Assert.DoesNotContain("disagree", (await Cli.RunAsync("etl", "status", "--db", db, "--cpu-tolerance", "0.5")).Output, StringComparison.Ordinal);
    }
}
