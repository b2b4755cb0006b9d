namespace Headroom.Cli.Tests;

/// <summary>The demo end to end: real promtool, real Prometheus, the fleet, the API.</summary>
public class DemoTests
{
    [Fact]
    public async Task Demo_backfills_history_and_reads_it_back_from_a_real_prometheus()
    {
        var result = await Cli.RunAsync("demo", "--hosts", "6", "--days", "2", "--seed", "5", "--no-wait");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("all 6 targets are up", result.Output, StringComparison.Ordinal);
        Assert.Contains("hosts with data 2 days ago: 6 of 6", result.Output, StringComparison.Ordinal);
        AssertMeasuredCpuMatchesTheFleet(result.Output, Fleet.SimulatedFleet.Create(6, 5));
        Assert.DoesNotContain("no data", result.Output, StringComparison.Ordinal);

        // It ends with the reports and the path of the HTML page, which outlives the temporary directory.
        Assert.Contains("Under-used resources", result.Output, StringComparison.Ordinal);
        Assert.Contains("6 resources, $", result.Output, StringComparison.Ordinal);
        var page = System.Text.RegularExpressions.Regex.Match(result.Output, @"HTML report: (\S+\.html)").Groups[1].Value;
        Assert.True(File.Exists(page), $"no page at '{page}'");
        try
        {
            Assert.Contains("<figure class=\"chart\"", await File.ReadAllTextAsync(page), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(page);
        }
    }

    /// <summary>
    /// The demo's table of average CPU per profile, measured by Prometheus, against the fleet's truth computed here (each
    /// host's long-run mean), not against the table's own "expected" column. The measurement is
    /// <c>avg_over_time(...[2d:1h])</c>: 48 point samples of a 5-minute rate. A sinusoid sampled at 24 evenly spaced
    /// phases averages to its mean, and the noise is at most ±4 points, so smooth profiles agree within 2 percentage
    /// points (0.1 seen). A bursty host has 8–14 bursts a day of 15–45 minutes at 50–78 %: each burst is caught by an
    /// hourly sample or not depending on the minute the demo runs, so its average moves by up to ±15 points (1.5 seen).
    /// </summary>
    private static void AssertMeasuredCpuMatchesTheFleet(string output, Fleet.SimulatedFleet fleet)
    {
        Assert.Equal(6, fleet.Hosts.Select(h => h.CpuProfile).Distinct().Count()); // every profile has a row
        foreach (var group in fleet.Hosts.GroupBy(h => h.CpuProfile))
        {
            var name = group.Key.ToString().ToLowerInvariant();
            var row = System.Text.RegularExpressions.Regex.Match(output, $@"│ {name}\s+│ (\d+)\s+│ (\d+\.\d) %\s+│ (\d+\.\d) %");
            Assert.True(row.Success, $"no row for {name} in:\n{output}");
            Assert.Equal(group.Count(), int.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            var measured = double.Parse(row.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) / 100;
            var truth = group.Average(h => h.MeanCpuUtilization);
            var tolerance = group.Key == Fleet.CpuProfile.Bursty ? 0.15 : 0.02;
            Assert.True(Math.Abs(measured - truth) <= tolerance, $"{name}: measured {measured:P1}, the fleet's truth {truth:P1}, tolerance {tolerance:P0}");
        }
    }

    [Fact]
    public async Task Aws_demo_tells_the_same_story_through_moto_the_collector_and_the_aws_ec2_profile()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-aws-demo-test-");
        try
        {
            var result = await Cli.RunAsync("demo", "--aws", "--hosts", "8", "--days", "5", "--seed", "3", "--no-wait", "--dir", directory.FullName);
            Assert.True(result.ExitCode == 0, result.Output + result.Error);
            Assert.Contains("latest CPUUtilization of 8 of 8 instances equals what was put into CloudWatch", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("no data", result.Output, StringComparison.Ordinal);
            Assert.Matches(@"hourly rows loaded \(0 quarantined, 0 gaps\) from \d+ queries in [\d.]+ s; \d+ window×dimension reads from recording rules, 0 raw fallbacks", result.Output);
            Assert.Contains("(profile aws-ec2)", result.Output, StringComparison.Ordinal);

            // The warehouse is kept (--dir): the under-used hosts it reports are exactly the fleet's idle and under-used ones.
            var csv = await Cli.RunAsync("report", "underused", "--db", "sqlite:" + Path.Combine(directory.FullName, "headroom.db"), "--profile", "aws-ec2", "--format", "csv");
            Assert.True(csv.ExitCode == 0, csv.Output + csv.Error);
            var rows = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.All(rows, r => Assert.StartsWith("name=\"arn:aws:ec2:", r[0].Trim('"').Replace("\"\"", "\"", StringComparison.Ordinal), StringComparison.Ordinal));
            var expected = Fleet.SimulatedFleet.Create(8, 3).Hosts.Where(h => h.CpuProfile is Fleet.CpuProfile.Idle or Fleet.CpuProfile.Underused).Select(h => h.Name).Order().ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, rows.Select(r => r[1]).Order().ToList());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sharded_demo_tells_the_node_story_through_the_gateway_over_two_shards_of_two_replicas()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-sharded-demo-test-");
        try
        {
            var result = await Cli.RunAsync("demo", "--shards", "2", "--replicas", "2", "--hosts", "8", "--days", "2", "--seed", "3", "--no-wait", "--dir", directory.FullName);
            Assert.True(result.ExitCode == 0, result.Output + result.Error);
            Assert.Matches(@"shard 0: \d+ series at http://127\.0\.0\.1:\d+/, http://127\.0\.0\.1:\d+/", result.Output);
            Assert.Matches(@"shard 1: \d+ series at", result.Output);
            Assert.Contains("gateway at http://127.0.0.1:", result.Output, StringComparison.Ordinal);
            Assert.Contains("all 8 targets are up", result.Output, StringComparison.Ordinal);
            Assert.Contains("hosts with data 2 days ago: 8 of 8", result.Output, StringComparison.Ordinal);
            Assert.Matches(@"hourly rows loaded \(0 quarantined, 0 gaps\)", result.Output);

            // The warehouse loaded through the gateway flags every idle host of the fleet and nothing that is busy.
            var csv = await Cli.RunAsync("report", "underused", "--db", "sqlite:" + Path.Combine(directory.FullName, "headroom.db"), "--format", "csv");
            Assert.True(csv.ExitCode == 0, csv.Output + csv.Error);
            var flagged = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[1]).ToHashSet();
            var hosts = Fleet.SimulatedFleet.Create(8, 3).Hosts;
            Assert.Superset(hosts.Where(h => h.CpuProfile == Fleet.CpuProfile.Idle).Select(h => h.Name).ToHashSet(), flagged);
            Assert.Subset(hosts.Where(h => h.CpuProfile is Fleet.CpuProfile.Idle or Fleet.CpuProfile.Underused).Select(h => h.Name).ToHashSet(), flagged);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
