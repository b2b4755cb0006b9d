using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Fleet;

namespace Headroom.Demo.Tests;

/// <summary>
/// The AWS, sharded and autoscaling stories end to end through the library (real moto_server, promtool, Prometheus, the gateway):
/// what each tells, and the warehouse it leaves, checked against the fleet's truth. The node story is run through the
/// command line by Headroom.Cli.Tests' <c>DemoTests</c>.
/// </summary>
public class StoryTests
{
    [Fact]
    public async Task Aws_story_goes_through_moto_the_collector_and_the_aws_ec2_profile()
    {
        using var run = new StoryRun();
        await run.TellAsync(new DemoOptions(Hosts: 8, Seed: 3, Days: 5, Directory: null, Wait: false, Aws: true));

        Assert.Contains("latest CPUUtilization of 8 of 8 instances equals what was put into CloudWatch", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("no data", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"hourly rows loaded \(0 quarantined, 0 gaps\) from \d+ queries in [\d.]+ s; \d+ window×dimension reads from recording rules, 0 raw fallbacks", run.Output);
        Assert.Contains("(profile aws-ec2)", run.Output, StringComparison.Ordinal);
        // Waste beyond EC2: per kind, the two waste resources flagged (one in a region without prices) and the one
        // created a day ago without a verdict.
        var waste = string.Join('\n', run.Output.Split('\n').Where(l => l.Contains(": 6 resources", StringComparison.Ordinal)));
        Assert.Contains("NAT gateways: 6 resources, 2 idle, 1 insufficient data, 1 flagged without a price; savings $32.85/month", waste, StringComparison.Ordinal);
        Assert.Contains("RDS DB instances: 6 resources, 2 idle, 1 insufficient data, 1 flagged without a price; savings $124.83/month", waste, StringComparison.Ordinal);
        Assert.Contains("Load balancers: 6 resources, 2 idle, 1 insufficient data", waste, StringComparison.Ordinal);

        // The under-used resources in the warehouse it keeps are exactly the fleet's idle and under-used hosts, as EC2 ARNs.
        var report = await run.ReportAsync("aws-ec2");
        var underused = report.Underused.ToList();
        Assert.All(underused, r => Assert.StartsWith("name=\"arn:aws:ec2:", r.Resource.Key, StringComparison.Ordinal));
        var expected = SimulatedFleet.Create(8, 3).Hosts.Where(h => h.CpuProfile is CpuProfile.Idle or CpuProfile.Underused).Select(h => h.Name).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, underused.Select(r => r.Resource.Name ?? "").Order().ToList());
    }

    [Fact]
    public async Task Sharded_story_reads_two_shards_of_two_replicas_through_the_gateway()
    {
        using var run = new StoryRun();
        await run.TellAsync(new DemoOptions(Hosts: 8, Seed: 3, Days: 2, Directory: null, Wait: false, Aws: false, Shards: 2, Replicas: 2));

        Assert.Matches(@"shard 0: \d+ series at http://127\.0\.0\.1:\d+/, http://127\.0\.0\.1:\d+/", run.Output);
        Assert.Matches(@"shard 1: \d+ series at", run.Output);
        Assert.Contains("gateway at http://127.0.0.1:", run.Output, StringComparison.Ordinal);
        Assert.Contains("all 8 targets are up", run.Output, StringComparison.Ordinal);
        Assert.Contains("hosts with data 2 days ago: 8 of 8", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"hourly rows loaded \(0 quarantined, 0 gaps\)", run.Output);
        // Each shard recorded the rules over its own history, and the ETL through the gateway read the recorded series
        // for every window and dimension: none fell back to the raw expressions.
        var reads = Regex.Match(run.Output, @"(\d+) window×dimension reads from recording rules, (\d+) raw fallbacks");
        Assert.True(reads.Success, run.Output);
        Assert.True(int.Parse(reads.Groups[1].Value, CultureInfo.InvariantCulture) > 0, reads.Value);
        Assert.Equal("0", reads.Groups[2].Value);
        Assert.Matches(@"shard 0: \d+ rules recorded over its own history, [1-9][\d,]* samples from", run.Output);
        Assert.Matches(@"shard 1: \d+ rules recorded over its own history, [1-9][\d,]* samples from", run.Output);

        // The warehouse loaded through the gateway flags every idle host of the fleet and nothing that is busy.
        var report = await run.ReportAsync("node");
        var flagged = report.Underused.Select(r => r.Resource.Name ?? "").ToHashSet();
        var hosts = SimulatedFleet.Create(8, 3).Hosts;
        // Failed once (2026-11-30 12:56 UTC, nothing flagged at all) and passed alone after: the story's output says
        // what was loaded and when, for the next time.
        var idle = hosts.Where(h => h.CpuProfile == CpuProfile.Idle).Select(h => h.Name).ToHashSet();
        var verdicts = string.Join("\n", report.Resources.Where(r => idle.Contains(r.Resource.Name ?? "")).Select(r =>
            $"{r.Resource.Name}: {r.Underuse.Kind}, {r.Underuse.Hours} hours in {r.Underuse.Days} days, CPU max {r.Underuse.CpuMax:G6}"));
        Assert.True(idle.IsSubsetOf(flagged),
            $"idle {string.Join(",", idle)} not all flagged ({string.Join(",", flagged)}) at {DateTimeOffset.UtcNow:O}:\n{verdicts}\n{run.Output}");
        Assert.Subset(hosts.Where(h => h.CpuProfile is CpuProfile.Idle or CpuProfile.Underused).Select(h => h.Name).ToHashSet(), flagged);
    }

    [Fact]
    public async Task Autoscale_story_reshards_the_growing_fleet_and_the_ruler_and_the_ha_pair_see_it_once()
    {
        using var run = new StoryRun();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await run.TellAsync(new DemoOptions(Hosts: 16, Seed: 5, Days: 1, Directory: null, Wait: false, Aws: false, Shards: 2, Replicas: 2, Autoscale: true));

        // The reshard: more shards after the fleet grew than before, as the autoscaler itself counted them.
        var resharded = Assert.Single(Regex.Matches(run.Output, @"resharded from (\d+) to (\d+) shards"));
        Assert.Equal(2, int.Parse(resharded.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(int.Parse(resharded.Groups[2].Value, CultureInfo.InvariantCulture) > 2, resharded.Value);
        Assert.Matches(@"shards after: [34]\n", run.Output);
        // count(up) through the gateway, as measured, equals the live targets before and after the growth.
        Assert.Contains("count(up) through the gateway: 4, the live targets", run.Output, StringComparison.Ordinal);
        Assert.Contains("count(up) through the gateway: 16, the live targets", run.Output, StringComparison.Ordinal);
        // The ruler's recorded series, read back from the receiver, cover every host of every shard.
        Assert.Contains("instance:node_cpu_utilisation:rate5m: 16 of 16 hosts", run.Output, StringComparison.Ordinal);
        // The alert went to both members of the pair; the webhook behind them counted one notification.
        var notified = Regex.Match(run.Output, @"alert HeadroomDemoFleetGrew notified (\d+) time\(s\)");
        Assert.True(notified.Success, run.Output);
        Assert.Equal(1, int.Parse(notified.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMinutes(2), $"the story took {stopwatch.Elapsed.TotalSeconds:F0} s");

        // Every Prometheus the story started (shards and receiver) is gone: none still has the story's directory on its command line.
        var left = System.IO.Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: Path.GetFileName(d), CommandLine: TryRead(Path.Combine(d, "cmdline"))))
            .Where(p => p.CommandLine.Contains(run.Directory, StringComparison.Ordinal))
            .ToList();
        Assert.True(left.Count == 0, "still running: " + string.Join("; ", left.Select(p => p.Pid + " " + p.CommandLine)));
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
