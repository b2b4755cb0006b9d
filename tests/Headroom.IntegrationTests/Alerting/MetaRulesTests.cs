using System.Text.RegularExpressions;
using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.IntegrationTests.Alerting;

/// <summary>
/// The meta-monitoring rules in deploy/rules/meta are valid, their promtool unit tests pass, every alert is tested
/// both firing and not firing, and the meta Prometheus configuration loads them with the ETL's alerts.
/// </summary>
public sealed partial class MetaRulesTests
{
    private static readonly string Folder = RepositoryPaths.Combine("deploy", "rules", "meta");

    private static string[] RuleFiles => Directory.GetFiles(Folder, "*.yml").Order(StringComparer.Ordinal).ToArray();

    private static string[] TestFiles => Directory.GetFiles(Path.Combine(Folder, "tests"), "*.test.yml").Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Promtool_accepts_every_rule_file()
    {
        Assert.True(RuleFiles.Length >= 6, $"only {RuleFiles.Length} rule files in {Folder}");

        var result = await Promtool.CheckRulesAsync(RuleFiles);

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
        Assert.Equal(RuleFiles.Length, SuccessLine().Count(result.StandardOutput));
    }

    [Fact]
    public async Task Promtool_unit_tests_pass()
    {
        Assert.True(TestFiles.Length >= 5, $"only {TestFiles.Length} test files in {Folder}/tests");

        var result = await Promtool.TestRulesAsync(TestFiles);

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
        Assert.DoesNotContain("FAILED", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_unit_tests_fail_when_an_alert_is_broken()
    {
        // The unit tests can fail: the same tests over a copy of gateway.yml whose partial-response alert never fires.
        using var scratch = new ScratchDirectory();
        Directory.CreateDirectory(scratch.Combine("tests"));
        var rules = await File.ReadAllTextAsync(Path.Combine(Folder, "gateway.yml"));
        await File.WriteAllTextAsync(scratch.Combine("gateway.yml"), rules.Replace("[5m])) > 0", "[5m])) > 1e9", StringComparison.Ordinal));
        File.Copy(Path.Combine(Folder, "tests", "gateway.test.yml"), Path.Combine(scratch.Path, "tests", "gateway.test.yml"));

        var result = await Promtool.TestRulesAsync(Path.Combine(scratch.Path, "tests", "gateway.test.yml"));

        Assert.False(result.Succeeded, result.StandardOutput);
        Assert.Contains("HeadroomGatewayPartialResponses", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_is_tested_firing_and_not_firing()
    {
        var alerts = new List<string>();
        foreach (var file in RuleFiles)
            alerts.AddRange(AlertName().Matches(await File.ReadAllTextAsync(file)).Select(m => m.Groups[1].Value));
        var tests = string.Concat(await Task.WhenAll(TestFiles.Select(f => File.ReadAllTextAsync(f))));

        Assert.True(alerts.Count >= 18, $"only {alerts.Count} alerts: {string.Join(", ", alerts)}");
        Assert.Contains("Watchdog", alerts);
        Assert.All(alerts, alert =>
        {
            var cases = Regex.Matches(tests, $@"alertname: {alert}\s*\n\s*exp_alerts:(.*)").Select(m => m.Groups[1].Value.Trim()).ToList();
            Assert.True(cases.Any(c => c != "[]"), $"{alert} is never tested firing");
            // The dead man's switch has no not-firing case: it must always fire.
            Assert.True(alert == "Watchdog" || cases.Contains("[]"), $"{alert} is never tested not firing");
        });
    }

    [Fact]
    public async Task The_meta_prometheus_loads_the_meta_rules_and_the_etl_alerts()
    {
        var result = await Promtool.CheckConfigAsync(RepositoryPaths.Combine("deploy", "prometheus", "prometheus-meta.yml"));

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
        Assert.Contains("headroom-alerts.yml", result.StandardOutput, StringComparison.Ordinal);
        foreach (var file in RuleFiles)
            Assert.Contains("rules/meta/" + Path.GetFileName(file), result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_rules_read_metrics_the_gateway_exports()
    {
        var rules = await File.ReadAllTextAsync(Path.Combine(Folder, "gateway.yml"));
        var source = await File.ReadAllTextAsync(RepositoryPaths.Combine("src", "Headroom.Gateway", "GatewayMetrics.cs"));
        var names = GatewayMetric().Matches(rules).Select(m => Regex.Replace(m.Value, "_(count|sum|bucket)$", "")).Distinct().ToList();

        Assert.True(names.Count >= 4, string.Join(", ", names));
        Assert.All(names, name => Assert.Contains($"\"{name}\"", source, StringComparison.Ordinal));
        // The error-rate alert selects on the request histogram's status label.
        Assert.Contains("LabelNames = [\"endpoint\", \"code\"]", source, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"SUCCESS: \d+ rules found")]
    private static partial Regex SuccessLine();

    [GeneratedRegex(@"^\s*- alert: (\S+)", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"headroom_gateway_[a-z_]+")]
    private static partial Regex GatewayMetric();
}
