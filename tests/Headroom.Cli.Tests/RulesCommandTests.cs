using System.Globalization;

namespace Headroom.Cli.Tests;

public sealed class RulesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-rules-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Generate_then_check_round_trips_and_promtool_agrees()
    {
        var file = Path.Combine(_directory, "node.yml");
        var generated = await Cli.RunAsync("rules", "generate", "--profile", "node", "--interval", "30s", "--out", file);
        Assert.True(generated.ExitCode == 0, generated.Error);
        Assert.Contains("wrote 5 rules", generated.Error, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("record: instance:node_cpu_utilisation:rate5m", text, StringComparison.Ordinal);
        Assert.Contains("interval: 30s", text, StringComparison.Ordinal);

        var check = await Cli.RunAsync("rules", "check", file);
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("5 rules in 1 groups, OK", check.Output, StringComparison.Ordinal);
        Assert.True((await Servers.Promtool.CheckRulesAsync(file)).Succeeded);
    }

    [Fact]
    public async Task Check_reports_every_problem_with_file_and_line_and_fails()
    {
        var file = Path.Combine(_directory, "bad.yml");
        await File.WriteAllTextAsync(file, "groups:\n  - name: g\n    rules:\n      - record: cpu\n        expr: rate(x[5m]\n");
        var result = await Cli.RunAsync("rules", "check", file);
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"{file}:4: record 'cpu' does not follow the level:metric:operations convention", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:5: rule 'cpu': ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_refuses_alert_templates_the_ruler_cannot_parse_naming_file_group_rule_and_the_error()
    {
        var file = Path.Combine(_directory, "alerts.yml");
        await File.WriteAllTextAsync(file, """
            groups:
              - name: hosts
                rules:
                  - alert: HostDown
                    expr: up == 0
                    labels:
                      instance: '{{ $labels.instance'
                    annotations:
                      summary: '{{ humanize }} down'
                      description: '{{ nosuchfunc $value }}'
                  - alert: HostBusy
                    expr: up > 1
                    annotations:
                      summary: '{{ $labels.instance }} at {{ $value | humanizePercentage }}'
            """);
        var result = await Cli.RunAsync("rules", "check", file);
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"{file}:4: group 'hosts', rule 'HostDown': label 'instance': unclosed action", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:4: group 'hosts', rule 'HostDown': annotation 'summary': wrong number of args for humanize: want 1 got 0", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}:4: group 'hosts', rule 'HostDown': annotation 'description': function \"nosuchfunc\" not defined", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("HostBusy", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("OK", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_reports_the_samples_it_wrote_not_the_range_it_was_asked_for()
    {
        // The source holds ten minutes of data three hours ago; the backfill is asked for two hours around it.
        var dataStart = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds() / 60 * 60);
        var input = Path.Combine(_directory, "input.om");
        var tsdb = Path.Combine(_directory, "tsdb");
        await File.WriteAllTextAsync(input, "# TYPE node_load1 gauge\n"
            + string.Concat(Enumerable.Range(0, 10).Select(i => $"node_load1{{instance=\"a\"}} {i} {dataStart.AddMinutes(i).ToUnixTimeSeconds()}\n"))
            + "# EOF\n");
        Assert.Equal(0, (await Servers.Promtool.CreateBlocksFromOpenMetricsAsync(input, tsdb, TimeSpan.FromHours(200))).EnsureSuccess().ExitCode);
        var rules = Path.Combine(_directory, "load.yml");
        await File.WriteAllTextAsync(rules, "groups:\n  - name: load\n    interval: 1m\n    rules:\n      - record: instance:node_load1:max\n        expr: max by (instance) (node_load1)\n");
        var blocks = Path.Combine(_directory, "blocks");
        var (from, to) = (dataStart.AddHours(-1), dataStart.AddHours(1));
        string output;
        await using (var prometheus = await Servers.PrometheusServer.StartAsync(new Servers.PrometheusOptions { DataDirectory = tsdb, ScrapeSelf = false }))
        {
            var result = await Cli.RunAsync("rules", "backfill", "--source", prometheus.BaseUri.AbsoluteUri, "--rules", rules, "--out", blocks,
                "--from", from.ToString("O", CultureInfo.InvariantCulture), "--to", to.ToString("O", CultureInfo.InvariantCulture));
            Assert.True(result.ExitCode == 0, result.Error);
            output = result.Output;
        }

        // promtool's own dump of the blocks says what was written.
        var dump = (await Servers.Promtool.DumpAsync(blocks)).EnsureSuccess().StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(dump.Count, 10, 20);
        var (first, last) = (DateTimeOffset.FromUnixTimeMilliseconds(dump.Min()), DateTimeOffset.FromUnixTimeMilliseconds(dump.Max()));
        // promtool evaluates at the group's own offset within the minute: the first sample is within a minute of the data's.
        Assert.InRange(first, dataStart, dataStart.AddMinutes(1));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"recorded {dump.Count} samples from {first:u} to {last:u} into "), output, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"(asked for {from:u} .. {to:u})"), output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rules check /nonexistent.yml", "no such file")]
    [InlineData("rules generate --profile nope", "unknown profile 'nope'")]
    [InlineData("rules generate --interval 0s", "--interval must be at least 1s")]
    [InlineData("rules backfill --from -2d --source http://127.0.0.1:9 --rules /nonexistent.yml --out x", "no such file")]
    [InlineData("rules backfill --from -2d --to -3d --source http://127.0.0.1:9 --rules r.yml --out x", "must be after --from")]
    [InlineData("rules backfill --source http://127.0.0.1:9 --rules r.yml --out x", "--from")]
    public async Task Bad_arguments_exit_with_the_usage_code(string args, string expected)
    {
        var result = await Cli.RunAsync(args.Split(' '));
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }
}
