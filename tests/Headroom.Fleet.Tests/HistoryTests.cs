using System.Text;
using Headroom.Servers;

namespace Headroom.Fleet.Tests;

public class HistoryTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static (string Text, HistoryStats Stats) Write(SimulatedFleet fleet, HistoryOptions options)
    {
        using var buffer = new MemoryStream();
        var stats = FleetHistory.Write(fleet, options, buffer);
        return (Encoding.UTF8.GetString(buffer.ToArray()), stats);
    }

    [Fact]
    public void History_values_equal_what_the_live_targets_serve_at_the_same_instant()
    {
        var fleet = SimulatedFleet.Create(8, 21);
        var (text, _) = Write(fleet, new HistoryOptions(End.AddHours(-1), End, TimeSpan.FromMinutes(1)));
        var at = End.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lines = text.Split('\n').Where(l => l.EndsWith(" " + at, StringComparison.Ordinal)).ToList();
        var compared = 0;
        foreach (var host in fleet.Hosts)
        {
            var live = Metrics.Parse(Exposition.ToText(host, End));
            foreach (var line in lines.Where(l => l.Contains($"instance=\"{host.Id}\",job=\"fleet\"", StringComparison.Ordinal)))
            {
                // node_cpu_seconds_total{instance="h",job="fleet",cpu="0",mode="idle"} 1.5 1763856000 → node_cpu_seconds_total{cpu="0",mode="idle"}
                // Label values may hold spaces (node_dmi_info's "Amazon EC2"): the value and the timestamp are the last two fields.
                var timestamp = line.LastIndexOf(' ');
                var value = line.LastIndexOf(' ', timestamp - 1);
                string[] parts = [line[..value], line[(value + 1)..timestamp]];
                var series = parts[0].Replace($"instance=\"{host.Id}\",job=\"fleet\",", "", StringComparison.Ordinal).Replace($"{{instance=\"{host.Id}\",job=\"fleet\"}}", "", StringComparison.Ordinal);
                Assert.Equal(live[series], double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                compared++;
            }
        }
        Assert.True(compared > 8 * 20, $"compared only {compared} series");
    }

    [Fact]
    public void Instance_ids_given_by_an_ec2_api_replace_the_simulated_ones_on_the_target_label()
    {
        var fleet = SimulatedFleet.Create(2, 4);
        var ids = new Dictionary<string, string> { [fleet.Hosts[0].Id] = "i-0moto00000000001" };
        var (text, _) = Write(fleet, new HistoryOptions(End.AddMinutes(-2), End, TimeSpan.FromMinutes(1)) { TargetLabels = true, InstanceIds = ids });
        var lines = text.Split('\n').Where(l => l.Contains("instance_id=", StringComparison.Ordinal)).ToList();
        Assert.All(lines.Where(l => l.Contains($"instance=\"{fleet.Hosts[0].Id}\"", StringComparison.Ordinal)), l => Assert.Contains("instance_id=\"i-0moto00000000001\"", l, StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains($"instance=\"{fleet.Hosts[1].Id}\"", StringComparison.Ordinal)), l => Assert.Contains($"instance_id=\"{fleet.Hosts[1].InstanceId}\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public void With_target_labels_every_series_carries_them_and_a_clashing_own_label_is_exported_as_prometheus_does()
    {
        var fleet = SimulatedFleet.Create(2, 4);
        var host = fleet.Hosts[0];
        var (text, _) = Write(fleet, new HistoryOptions(End.AddMinutes(-2), End, TimeSpan.FromMinutes(1)) { TargetLabels = true });
        var lines = text.Split('\n').Where(l => l.Contains($"instance=\"{host.Id}\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains($"instance_id=\"{host.InstanceId}\"", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains($"availability_zone=\"{host.AvailabilityZone}\"", l, StringComparison.Ordinal));
        var info = lines.First(l => l.StartsWith("headroom_host_info{", StringComparison.Ordinal));
        Assert.Contains($"account=\"{host.Account}\"", info, StringComparison.Ordinal);
        Assert.Contains($"exported_account=\"{host.Account}\"", info, StringComparison.Ordinal);
        Assert.Contains($"product_name=\"{host.InstanceType.Name}\"", lines.First(l => l.StartsWith("node_dmi_info{", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"nodename=\"{host.Name}\"", lines.First(l => l.StartsWith("node_uname_info{", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void CloudWatch_statistics_of_a_period_agree_with_the_node_exporter_counters()
    {
        foreach (var host in SimulatedFleet.Create(12, 3).Hosts)
        {
            var from = End.AddMinutes(-15);
            var to = from.AddMinutes(5);
            var period = host.CloudWatchAt(from, TimeSpan.FromMinutes(5));
            // node_exporter's CPU seconds have two decimals: up to 0.01 s per CPU off in 300 s, 0.0033 percentage points.
            Assert.Equal(Metrics.CpuUtilization(host, from, to) * 100, period.CpuPercent, 0.005);
            var a = Metrics.Parse(Exposition.ToText(host, from));
            var b = Metrics.Parse(Exposition.ToText(host, to));
            Assert.Equal(b["node_network_receive_bytes_total{device=\"eth0\"}"] - a["node_network_receive_bytes_total{device=\"eth0\"}"], period.NetworkInBytes, 1.0);
            Assert.Equal(b["node_network_transmit_bytes_total{device=\"eth0\"}"] - a["node_network_transmit_bytes_total{device=\"eth0\"}"], period.NetworkOutBytes, 1.0);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => SimulatedFleet.Create(1, 1).Hosts[0].CloudWatchAt(End, TimeSpan.Zero));
    }

    [Fact]
    public void Gauge_histories_write_sorted_escaped_labels_and_skip_nan()
    {
        var series = new HistorySeries([new("z", "last"), new("a", "quote \" and \\ and\nline")], t => t.Minute % 2 == 0 ? t.Minute : double.NaN);
        var family = new HistoryFamily("aws_ec2_info", "Information.", [series]);
        using var buffer = new MemoryStream();
        var stats = FleetHistory.WriteGauges([family], new HistoryOptions(End.AddMinutes(-4), End, TimeSpan.FromMinutes(1)), buffer);
        var text = Encoding.UTF8.GetString(buffer.ToArray());
        var first = (End.ToUnixTimeSeconds() - 240).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($$"""
            # HELP aws_ec2_info Information.
            # TYPE aws_ec2_info gauge
            aws_ec2_info{a="quote \" and \\ and\nline",z="last"} 56 {{first}}
            aws_ec2_info{a="quote \" and \\ and\nline",z="last"} 58 {{End.ToUnixTimeSeconds() - 120}}
            aws_ec2_info{a="quote \" and \\ and\nline",z="last"} 0 {{End.ToUnixTimeSeconds()}}
            # EOF

            """.Replace("\r\n", "\n", StringComparison.Ordinal), text);
        Assert.Equal(new HistoryStats(1, 3, buffer.Length), stats);
    }

    [Fact]
    public void History_is_grouped_by_family_and_ends_with_eof()
    {
        var (text, stats) = Write(SimulatedFleet.Create(3, 1), new HistoryOptions(End.AddMinutes(-10), End, TimeSpan.FromMinutes(1)));
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        var types = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).ToList();
        Assert.Equal(types.Count, types.Distinct().Count());
        Assert.Contains("# TYPE node_cpu_seconds counter", types);
        Assert.Equal(stats.Samples, text.Split('\n').Count(l => l.Length > 0 && l[0] != '#'));
        Assert.Equal(11 * stats.Series, stats.Samples);
    }

    [Fact]
    public void Bad_options_are_refused_with_a_reason()
    {
        var fleet = SimulatedFleet.Create(1, 1);
        var e = Assert.Throws<ArgumentException>(() => FleetHistory.Write(fleet, new HistoryOptions(End, End.AddDays(-1), TimeSpan.FromMinutes(1)), Stream.Null));
        Assert.Contains("must end after it starts", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => FleetHistory.Write(fleet, new HistoryOptions(End.AddDays(-1), End, TimeSpan.FromMilliseconds(10)), Stream.Null));
        Assert.Contains("step must be at least 1s", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => FleetHistory.Write(fleet, new HistoryOptions(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), End, TimeSpan.FromMinutes(1)), Stream.Null));
        Assert.Contains("fleet starts on 2025-01-01", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_accepts_the_history_and_builds_blocks_holding_every_sample()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-history-test-");
        try
        {
            var file = Path.Combine(directory.FullName, "history.om");
            HistoryStats stats;
            await using (var stream = File.Create(file))
                stats = FleetHistory.Write(SimulatedFleet.Create(4, 9), new HistoryOptions(End.AddHours(-6), End, TimeSpan.FromMinutes(1)), stream);

            var result = await Promtool.CreateBlocksFromOpenMetricsAsync(file, Path.Combine(directory.FullName, "blocks"), TimeSpan.FromHours(162));
            Assert.True(result.Succeeded, result.StandardError + result.StandardOutput);
            // The block table's NUM SAMPLES column, summed over blocks, must equal what was written.
            var samples = result.StandardOutput.Split('\n').Skip(1).Where(l => l.Trim().Length > 0)
                .Sum(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(stats.Samples, samples);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Promtool_check_metrics_finds_nothing_but_node_exporters_own_camel_case_names()
    {
        foreach (var host in SimulatedFleet.Create(12, 4).Hosts)
        {
            var result = await Promtool.CheckMetricsAsync(Exposition.ToText(host, End));
            // promtool lints node_exporter's real memory names (node_memory_MemTotal_bytes) as camelCase and exits 3.
            // Anything else it reports (a parse error, a bad counter name, missing HELP) fails the test.
            var findings = (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(findings, f => Assert.Matches(@"^node_memory_Mem(Total|Available)_bytes metric names should be written in 'snake_case' not 'camelCase'$", f));
            Assert.Equal(2, findings.Length);
            Assert.Contains(result.ExitCode, new[] { 0, 3 });
        }
    }
}
