using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Headroom.Etl.Rules;
using Headroom.Prometheus.Rules;
using Headroom.Servers;

namespace Headroom.Etl.Tests;

/// <summary>
/// The node profile's CPU rule where a 5m window holds only part of its samples, through promtool's rule unit tests
/// (a real Prometheus engine): an idle host whose series begin at the first evaluation and stop for 10 minutes, and a
/// busy one whose series begin mid-window. The profile's ratio of rates reads their true CPU every minute; the former
/// <c>1 - avg(rate(idle))</c> read the idle host up to 78% busy, which the same unit tests catch.
/// </summary>
public sealed partial class CpuPartialWindowTests
{
    private const string Former = "1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))";

    // The ratio is exact up to floating point (every mode of a host shares its sample times: off by 1e-12 here); the
    // former is off by 0.045 to 0.82 in the 4 minutes after each start, so 0.05 percentage points tells them apart.
    private const double Tolerance = 0.0005;

    private static readonly TimeSpan Scrape = TimeSpan.FromSeconds(15);
    private const int Minutes = 30;

    private static readonly Profile Node = ProfileLoader.Load("node");

    private static readonly string Record = Node.Dimensions.Single(d => d.Name == "cpu").Record!;

    // node_exporter's eight modes; a CPU's shares add to 1 (each CPU accrues one second per second across them).
    private static readonly string[] Modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

    private static readonly SimulatedHost[] Hosts =
    [
        // 1% busy: one CPU at 2%, the other at 0%, so the mean is right only if both CPUs count. Scraped from the first
        // evaluation to 10m, then 10 minutes without samples (a Prometheus outage), then again from 20m15s.
        new("idle", [Shares(idle: 0.98, user: 0.012, system: 0.006, iowait: 0.001, softirq: 0.001), Shares(idle: 1)],
            FirstScrape: 0, Gap: (From: 41, Count: 40)),
        // 40% busy on 4 CPUs, its series beginning at 2m30s, between two evaluations.
        new("busy", [.. Enumerable.Repeat(Shares(idle: 0.6, user: 0.28, system: 0.08, iowait: 0.02, softirq: 0.01, steal: 0.01), 4)],
            FirstScrape: 10, Gap: null),
    ];

    [Fact]
    public async Task The_profiles_cpu_reads_the_true_share_where_windows_are_partial()
    {
        var result = await TestRulesAsync(Node);

        Assert.True(result.Succeeded, result.StandardOutput + result.StandardError);
    }

    [Fact]
    public async Task The_former_expression_reads_the_idle_host_busy_after_its_start_and_its_gap()
    {
        var former = Node with { Dimensions = [.. Node.Dimensions.Select(d => d.Name == "cpu" ? d with { Expr = Former } : d)] };

        var result = await TestRulesAsync(former);

        // The same unit tests fail: the spike is real, so the passing test above can fail.
        Assert.False(result.Succeeded, result.StandardOutput);
        var readings = Failure().Matches(result.StandardOutput + result.StandardError)
            .Select(m => (Instance: m.Groups["instance"].Value, Minute: Minute(m.Groups["time"].Value), Value: double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var idle = readings.Where(r => r.Instance == "idle").ToDictionary(r => r.Minute, r => r.Value);
        // One minute after its first scrape, 60 s of samples extrapolated by 7.5 s: 1 - 0.99 × 67.5/300 = 0.777.
        Assert.True(idle.GetValueOrDefault(1) > 0.7, $"the former expression at 1m: {idle.GetValueOrDefault(1)}; all: {string.Join(", ", readings)}");
        // And after the gap: at 21m the window holds 20m15s..21m.
        Assert.True(idle.GetValueOrDefault(21) > 0.7, $"the former expression at 21m: {idle.GetValueOrDefault(21)}; all: {string.Join(", ", readings)}");
        // As the gap begins, the window empties from its start: at 12m it holds 7m..10m.
        Assert.True(idle.GetValueOrDefault(12) > 0.3, $"the former expression at 12m: {idle.GetValueOrDefault(12)}; all: {string.Join(", ", readings)}");
        Assert.Contains(readings, r => r.Instance == "busy" && r.Minute == 3 && r.Value > 0.9);
    }

    [Fact]
    public void The_history_probe_reads_the_idle_series_one_per_cpu()
    {
        // The earliest-sample probe takes the first selector: idle's, not the denominator's eight modes per CPU.
        Assert.Equal("node_cpu_seconds_total{mode=\"idle\"}", PrometheusUtilizationSource.HistoryProbe(Node));
    }

    private static async Task<ToolResult> TestRulesAsync(Profile profile)
    {
        var directory = Directory.CreateTempSubdirectory("headroom-cpu-ratio-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "rules.yml"), RuleFileWriter.Write(RuleGenerator.Generate(profile, TimeSpan.FromMinutes(1))));
            var test = Path.Combine(directory.FullName, "cpu.test.yml");
            await File.WriteAllTextAsync(test, UnitTests());
            return await Promtool.TestRulesAsync(test);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// One test group: every host's counters and its true CPU, and for each host and minute a check that the recorded
    /// CPU is within <see cref="Tolerance"/> of the truth, plus one that it is there when its window holds two samples.
    /// </summary>
    private static string UnitTests()
    {
        var scrapes = Minutes * 4 + 1;
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            rule_files: [rules.yml]
            evaluation_interval: 1m
            tests:
              - interval: {(int)Scrape.TotalSeconds}s
                input_series:

            """);
        foreach (var host in Hosts)
        {
            yaml.Append(CultureInfo.InvariantCulture, $$"""
                      - series: 'headroom_true_cpu{instance="{{host.Instance}}"}'
                        values: '{{host.Busy.ToString("R", CultureInfo.InvariantCulture)}}x{{scrapes - 1}}'

                """);
            for (var cpu = 0; cpu < host.Cpus.Length; cpu++)
            {
                foreach (var mode in Modes)
                {
                    yaml.Append(CultureInfo.InvariantCulture, $$"""
                              - series: 'node_cpu_seconds_total{instance="{{host.Instance}}",job="node",cpu="{{cpu}}",mode="{{mode}}"}'
                                values: '{{host.Values(cpu, mode, scrapes)}}'

                        """);
                }
            }
        }
        yaml.Append("    promql_expr_test:\n");
        foreach (var host in Hosts)
        {
            for (var minute = 1; minute <= Minutes; minute++)
            {
                var selector = $"{Record}{{instance=\"{host.Instance}\"}}";
                yaml.Append(CultureInfo.InvariantCulture, $"""
                          - expr: '{selector} and on(instance) (abs({selector} - on(instance) headroom_true_cpu) > {Tolerance.ToString("R", CultureInfo.InvariantCulture)})'
                            eval_time: {minute}m
                            exp_samples: []

                    """);
                if (host.SamplesIn(minute) >= 2)
                {
                    yaml.Append(CultureInfo.InvariantCulture, $$"""
                              - expr: 'count by (instance) ({{selector}})'
                                eval_time: {{minute}}m
                                exp_samples:
                                  - labels: '{instance="{{host.Instance}}"}'
                                    value: 1

                        """);
                }
            }
        }
        return yaml.ToString();
    }

    private static Dictionary<string, double> Shares(double idle, double user = 0, double system = 0, double iowait = 0, double softirq = 0, double steal = 0) =>
        new(StringComparer.Ordinal) { ["idle"] = idle, ["user"] = user, ["system"] = system, ["iowait"] = iowait, ["softirq"] = softirq, ["steal"] = steal };

    private static int Minute(string time) => int.Parse(time.TrimEnd('m'), CultureInfo.InvariantCulture);

    // promtool's failure lines: `expr: "...", time: 21m,` then `exp: nil` and `got: {__name__="...", instance="idle"} 8.2E-01`.
    [GeneratedRegex("""time: (?<time>\d+m),\s*exp: nil\s*got: \{__name__="[^"]+", instance="(?<instance>\w+)"\} (?<value>[0-9.E+-]+)""")]
    private static partial Regex Failure();

    /// <summary>One host's CPUs (each a mode → share of its seconds), its first scrape and the scrapes it misses.</summary>
    private sealed record SimulatedHost(string Instance, Dictionary<string, double>[] Cpus, int FirstScrape, (int From, int Count)? Gap)
    {
        public double Busy => 1 - Cpus.Average(c => c["idle"]);

        private bool Scraped(int index) => index >= FirstScrape && !(Gap is { } gap && index >= gap.From && index < gap.From + gap.Count);

        /// <summary>Samples in the window (minute − 5m, minute]: the left-open range of Prometheus 3, at most that of 2.</summary>
        public int SamplesIn(int minute) => Enumerable.Range((minute - 5) * 4 + 1, 20).Count(i => i >= 0 && Scraped(i));

        /// <summary>
        /// promtool's series notation: <c>_</c> for a missed scrape, <c>a+bxN</c> for a run of N + 1. The counter keeps
        /// counting through a gap (the host ran; Prometheus did not scrape), from a value as after a day of uptime.
        /// </summary>
        public string Values(int cpu, string mode, int scrapes)
        {
            var step = Cpus[cpu].GetValueOrDefault(mode) * Scrape.TotalSeconds;
            var start = Cpus[cpu].GetValueOrDefault(mode) * 86_400;
            var parts = new List<string>();
            for (var i = 0; i < scrapes;)
            {
                var run = Enumerable.Range(i, scrapes - i).TakeWhile(j => Scraped(j) == Scraped(i)).Count();
                parts.Add(Scraped(i)
                    ? string.Create(CultureInfo.InvariantCulture, $"{start + (step * i):R}+{step:R}x{run - 1}")
                    : $"_x{run}");
                i += run;
            }
            return string.Join(' ', parts);
        }
    }
}
