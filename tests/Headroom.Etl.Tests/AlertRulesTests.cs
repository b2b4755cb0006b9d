using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.Etl.Tests;

/// <summary>The shipped alert rules are valid, their unit tests pass, and they read metrics the ETL really exports.</summary>
public class AlertRulesTests
{
    private static readonly string Rules = RepositoryPaths.Combine("deploy", "prometheus", "headroom-alerts.yml");

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var result = await Promtool.CheckRulesAsync(Rules);
        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
        Assert.Contains("SUCCESS: 5 rules found", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_unit_tests_of_the_alert_rules_pass()
    {
        var result = await Promtool.TestRulesAsync(RepositoryPaths.Combine("deploy", "prometheus", "tests", "headroom-alerts.test.yml"));
        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public async Task Every_metric_the_rules_read_is_exported_by_the_etl()
    {
        var metrics = new EtlMetrics();
        metrics.LastRunSuccess.WithLabels("node").Set(1);
        metrics.LastRunRejectedRatio.WithLabels("node").Set(0);
        metrics.LastSuccess.WithLabels("node").Set(1);
        metrics.WatermarkLag.WithLabels("node", "s").Set(1);
        metrics.OpenGaps.WithLabels("node").Set(0);
        var exported = await metrics.ExportAsync();
        var text = await File.ReadAllTextAsync(Rules);
        var names = System.Text.RegularExpressions.Regex.Matches(text, @"headroom_etl_[a-z_]+").Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains($"\n{n}{{", "\n" + exported, StringComparison.Ordinal));
    }
}
