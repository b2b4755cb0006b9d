namespace Headroom.Cli.Tests;

/// <summary>
/// <c>headroom demo</c> end to end: real promtool, real Prometheus, the fleet, the API. The AWS and sharded stories are
/// tested through the library in Headroom.Demo.Tests.
/// </summary>
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
}
