using System.Text.RegularExpressions;
using Headroom.CloudWatch.Collection;
using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>The shipped CloudWatch alert rules are valid, their unit tests pass, and they read metrics the collector exports.</summary>
public class AlertRulesTests
{
    private static readonly string Rules = RepositoryPaths.Combine("deploy", "prometheus", "headroom-cloudwatch-alerts.yml");

    [Fact]
    public async Task Promtool_accepts_the_alert_rules_and_their_unit_tests_pass()
    {
        var check = await Promtool.CheckRulesAsync(Rules);
        Assert.True(check.Succeeded, check.StandardOutput + check.StandardError);
        Assert.Contains("SUCCESS: 5 rules found", check.StandardOutput, StringComparison.Ordinal);
        var test = await Promtool.TestRulesAsync(RepositoryPaths.Combine("deploy", "prometheus", "tests", "headroom-cloudwatch-alerts.test.yml"));
        Assert.True(test.Succeeded, test.StandardOutput + test.StandardError);
    }

    [Fact]
    public async Task Every_metric_the_rules_read_is_exported_by_the_collector()
    {
        var metrics = new CollectorMetrics();
        metrics.LastLoopSuccess.WithLabels("300").Set(1);
        metrics.LastSuccess.WithLabels("300").Set(1);
        metrics.Errors.WithLabels("GetMetricData", "Throttling").Inc();
        metrics.MetricsRequested.Inc();
        var exported = "\n" + await metrics.ExportAsync();
        var names = Regex.Matches(await File.ReadAllTextAsync(Rules), "headroom_cloudwatch_[a-z_]+").Select(m => m.Value).Distinct().ToList();
        Assert.Equal(5, names.Count);
        Assert.All(names, n => Assert.Matches($"\n{n}[{{ ]", exported));
    }

    [Fact]
    public async Task Promtool_parses_what_metrics_serves()
    {
        var series = new[]
        {
            new CollectedSeries("aws_ec2_cpuutilization_average", CollectedSeries.SortLabels([new("name", "arn:aws:ec2:us-east-1:1:instance/i-1"), new("dimension_InstanceId", "i-1"), new("tag_Name", "a \"b\"")]), 12.5),
            new CollectedSeries("aws_ec2_cpuutilization_average", CollectedSeries.SortLabels([new("name", "arn:aws:ec2:us-east-1:1:instance/i-2"), new("dimension_InstanceId", "i-2")]), double.NaN),
            new CollectedSeries("aws_ec2_info", CollectedSeries.SortLabels([new("name", "arn:aws:ec2:us-east-1:1:instance/i-1")]), 0),
        };
        var text = Exposition.Write(series) + await new CollectorMetrics().ExportAsync();
        var result = await Promtool.CheckMetricsAsync(text);
        // promtool exits 1 for a parse error and 3 for lint findings. The one finding allowed is CloudWatch's own
        // dimension and tag names kept as labels (dimension_InstanceId, tag_Name, as cloudwatch_exporter does), which
        // promtool lints as camelCase; anything else (a parse error, a bad counter name, missing HELP) fails.
        var findings = (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(findings, f => Assert.Equal("aws_ec2_cpuutilization_average label names should be written in 'snake_case' not 'camelCase'", f));
        Assert.True(result.ExitCode == (findings.Length == 0 ? 0 : 3), $"promtool check metrics exited {result.ExitCode}: {result.StandardOutput}{result.StandardError}");
    }
}
