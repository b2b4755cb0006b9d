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
    }
}
