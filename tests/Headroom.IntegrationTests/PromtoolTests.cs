using System.Globalization;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

public sealed class PromtoolTests : IDisposable
{
    private const string GoodRules = """
        groups:
          - name: g
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
        """;

    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Check_rules_accepts_a_good_file_and_rejects_a_bad_one()
    {
        var good = _scratch.Combine("good.yml");
        var bad = _scratch.Combine("bad.yml");
        await File.WriteAllTextAsync(good, GoodRules);
        await File.WriteAllTextAsync(bad, GoodRules.Replace("sum by (job) (up)", "sum by (job) (up", StringComparison.Ordinal));

        var accepted = await Promtool.CheckRulesAsync(good);
        var rejected = await Promtool.CheckRulesAsync([bad], CancellationToken.None);

        Assert.Equal(0, accepted.EnsureSuccess().ExitCode);
        Assert.Contains("SUCCESS: 1 rules found", accepted.StandardOutput + accepted.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("unclosed left parenthesis", rejected.StandardOutput + rejected.StandardError, StringComparison.Ordinal);
        var thrown = Assert.Throws<InvalidOperationException>(() => rejected.EnsureSuccess());
        Assert.Contains("unclosed left parenthesis", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_metrics_reads_stdin_and_lints()
    {
        var clean = await Promtool.CheckMetricsAsync("# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 1\n");
        var lint = await Promtool.CheckMetricsAsync("# HELP jobs Jobs.\n# TYPE jobs counter\njobs 1\n");

        Assert.Equal(0, clean.ExitCode);
        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains("_total", lint.StandardOutput + lint.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_validates_a_generated_config()
    {
        var config = _scratch.Combine("prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 15s\nscrape_configs:\n- job_name: a\n  static_configs:\n    - targets: ['127.0.0.1:1']\n");

        var result = await Promtool.CheckConfigAsync(config);

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Test_rules_runs_rule_unit_tests()
    {
        await File.WriteAllTextAsync(_scratch.Combine("rules.yml"), GoodRules);
        var passing = _scratch.Combine("passing.test.yml");
        var failing = _scratch.Combine("failing.test.yml");
        const string test = """
            rule_files: [rules.yml]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a", instance="x"}'
                    values: '1 1 1'
                  - series: 'up{job="a", instance="y"}'
                    values: '0 1 1'
                promql_expr_test:
                  - expr: job:up:sum
                    eval_time: 2m
                    exp_samples:
                      - labels: 'job:up:sum{job="a"}'
                        value: EXPECTED
            """;
        await File.WriteAllTextAsync(passing, test.Replace("EXPECTED", "2", StringComparison.Ordinal));
        await File.WriteAllTextAsync(failing, test.Replace("EXPECTED", "3", StringComparison.Ordinal));

        var passed = await Promtool.TestRulesAsync(passing);
        var failed = await Promtool.TestRulesAsync(failing);

        Assert.Equal(0, passed.EnsureSuccess().ExitCode);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("FAILED", failed.StandardOutput + failed.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfilled_openmetrics_block_is_served_by_a_prometheus_on_that_directory()
    {
        var sampleTime = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds());
        var input = _scratch.Combine("input.om");
        var data = _scratch.Combine("tsdb");
        await File.WriteAllTextAsync(input, string.Create(CultureInfo.InvariantCulture, $$"""
            # HELP headroom_backfill_bytes A backfilled gauge.
            # TYPE headroom_backfill_bytes gauge
            headroom_backfill_bytes{host="a"} 42 {{sampleTime.ToUnixTimeSeconds()}}
            headroom_backfill_bytes{host="a"} 43 {{sampleTime.AddMinutes(1).ToUnixTimeSeconds()}}
            # EOF

            """));

        var created = await Promtool.CreateBlocksFromOpenMetricsAsync(input, data, TimeSpan.FromHours(200));

        Assert.Equal(0, created.EnsureSuccess().ExitCode);
        Assert.Single(Directory.GetDirectories(data));

        await using (var server = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = data, ScrapeSelf = false }))
        {
            Assert.Equal(data, server.DataDirectory);
            Assert.Equal("42", await TestSupport.QueryScalarAsync(server.BaseUri, "headroom_backfill_bytes", sampleTime));
            Assert.Equal("43", await TestSupport.QueryScalarAsync(server.BaseUri, "headroom_backfill_bytes{host=\"a\"}", sampleTime.AddMinutes(2)));

            var rules = _scratch.Combine("backfill.rules.yml");
            await File.WriteAllTextAsync(rules, "groups:\n- name: r\n  interval: 1m\n  rules:\n  - record: host:headroom_backfill_bytes:sum\n    expr: sum by (host) (headroom_backfill_bytes)\n");
            var ruleBlocks = _scratch.Combine("rule-blocks");
            var fromRules = await Promtool.CreateBlocksFromRulesAsync(server.BaseUri, sampleTime, sampleTime.AddMinutes(3), ruleBlocks, rules);

            Assert.Equal(0, fromRules.EnsureSuccess().ExitCode);
            Assert.NotEmpty(Directory.GetDirectories(ruleBlocks));
        }

        Assert.True(Directory.Exists(data), "a caller-owned data directory must survive dispose");
        Assert.Single(Directory.GetDirectories(data), d => Path.GetFileName(d).StartsWith("01", StringComparison.Ordinal));
    }
}
