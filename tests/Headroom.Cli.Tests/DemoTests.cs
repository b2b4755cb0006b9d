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
        foreach (var profile in new[] { "idle", "underused", "steady", "diurnal", "bursty", "saturated" })
            Assert.Matches($@"│ {profile}\s+│ \d+\s+│ \d+\.\d %", result.Output);
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
}
