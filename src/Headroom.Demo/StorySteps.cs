using System.Diagnostics;
using System.Globalization;
using Headroom.Etl;
using Headroom.Etl.Rules;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.Rules;
using Headroom.Servers;
using Spectre.Console;

namespace Headroom.Demo;

/// <summary>Steps the stories share: recording rules over the history, waiting for scrapes, the summary against the fleet's truth.</summary>
internal static class StorySteps
{
    /// <summary>Writes the recording rules of <paramref name="profile"/> (1m evaluation) to <paramref name="rules"/>; returns how many rules it wrote.</summary>
    public static async Task<int> WriteRulesAsync(string profile, string rules, CancellationToken cancellationToken)
    {
        var generated = RuleGenerator.Generate(ProfileLoader.Load(profile), TimeSpan.FromMinutes(1));
        await File.WriteAllTextAsync(rules, RuleFileWriter.Write(generated), cancellationToken).ConfigureAwait(false);
        return generated.Groups.Sum(static g => g.Rules.Count);
    }

    /// <summary>
    /// Generates the profile's recording rules and backfills them over the history with promtool, against
    /// a Prometheus started for the purpose; the recorded blocks then join the raw ones.
    /// </summary>
    public static async Task RecordHistoryAsync(string profile, string rules, string tsdb, DateTimeOffset from, DateTimeOffset to, DemoConsole console, CancellationToken cancellationToken)
    {
        var count = await WriteRulesAsync(profile, rules, cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await Promtool.BackfillRulesAsync(tsdb, from, to, [rules], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new DemoException(e.Message, e);
        }
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"    recorded {(to - from).TotalDays:F0} days of {count} rules in {stopwatch.Elapsed.TotalSeconds:F1} s")).ConfigureAwait(false);
    }

    public static async Task WaitForScrapesAsync(PrometheusClient client, string job, int targets, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var up = await client.QueryAsync($"count(up{{job=\"{job}\"}} == 1)", cancellationToken: cancellationToken).ConfigureAwait(false);
            if (up.Series.Count == 1 && up.Series[0].Samples[0].Value >= targets)
                return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
                throw new DemoException($"Prometheus did not scrape all {targets} {what} within 90 s; see its targets page");
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task SummaryAsync(PrometheusClient client, SimulatedFleet fleet, int days, DemoConsole console, CancellationToken cancellationToken)
    {
        var start = await client.QueryAsync($"count(node_memory_MemTotal_bytes offset {days * 24 - 1}h)", cancellationToken: cancellationToken).ConfigureAwait(false);
        var atStart = start.Series.Count == 0 ? 0 : start.Series[0].Samples[0].Value;
        await console.LineAsync(string.Create(CultureInfo.InvariantCulture, $"    hosts with data {days} days ago: {atStart:F0} of {fleet.Hosts.Count}")).ConfigureAwait(false);

        var cpu = await client.QueryAsync(
            $"avg_over_time(({ProfileLoader.Load("node").Dimensions.Single(d => d.Name == "cpu").Expr})[{days}d:1h])",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var measured = cpu.Series.ToDictionary(s => s.Labels["instance"], s => s.Samples[0].Value, StringComparer.Ordinal);

        CompareWithTruth(console, $"Average CPU over {days} days, measured by Prometheus vs the fleet's truth", "hosts", fleet.Hosts, measured);
        if (measured.Count < fleet.Hosts.Count)
            throw new DemoException($"Prometheus returned CPU history for {measured.Count} of {fleet.Hosts.Count} hosts");
    }

    /// <summary>A table of the measured average CPU per profile (<paramref name="measured"/>: host id → 0..1) beside the fleet's truth.</summary>
    public static void CompareWithTruth(DemoConsole console, string title, string unit, IEnumerable<SimulatedHost> hosts, IReadOnlyDictionary<string, double> measured)
    {
        var table = new Table().Title(title).AddColumns("cpu profile", unit, "measured", "expected");
        foreach (var group in hosts.GroupBy(h => h.CpuProfile).OrderBy(g => g.Key))
        {
            var values = group.Where(h => measured.ContainsKey(h.Id)).Select(h => measured[h.Id]).ToList();
            table.AddRow(
                HostTruth.ProfileName(group.Key),
                group.Count().ToString(CultureInfo.InvariantCulture),
                values.Count == 0 ? "no data" : values.Average().ToString("P1", CultureInfo.InvariantCulture),
                group.Average(h => h.MeanCpuUtilization).ToString("P1", CultureInfo.InvariantCulture));
        }
        console.Tables.Write(table);
    }
}
