using System.Globalization;
using System.Text;
using Headroom.Prometheus;
using Headroom.Prometheus.Relabeling;

namespace Headroom.Servers;

/// <summary>How to start a <see cref="PrometheusTopology"/>. Every property has a usable default (2 shards × 2 replicas, no data).</summary>
public sealed record PrometheusTopologyOptions
{
    /// <summary>Number of shards. Default 2.</summary>
    public int Shards { get; init; } = 2;

    /// <summary>Replicas per shard (an HA pair is 2). Default 2.</summary>
    public int Replicas { get; init; } = 2;

    /// <summary>
    /// Settings every replica starts from: scrape and evaluation intervals, retention, rule files, extra arguments and
    /// scrape configs (which every shard gets unsplit). The topology sets the data directory, the port and the
    /// <c>shard</c> and <c>replica</c> external labels (added to any given here), and appends the
    /// <see cref="Scrape"/> job. Default: no self-scrape (its <c>instance</c> would differ between replicas), 10 years'
    /// retention so that old history stays.
    /// </summary>
    public PrometheusOptions Prometheus { get; init; } = new() { ScrapeSelf = false, Retention = "3650d" };

    /// <summary>
    /// An OpenMetrics file with timestamps (e.g. written by <c>FleetHistory</c> or <c>PromqlHistory</c>) to split
    /// across the shards by <see cref="HistoryShardBy"/> and backfill with promtool before the servers start.
    /// Default none: the replicas start empty.
    /// </summary>
    public string? HistoryFile { get; init; }

    /// <summary>
    /// The labels whose values, joined with <c>;</c>, choose a history series' shard through
    /// <see cref="Hashmod"/>, as <c>source_labels</c> of a <c>hashmod</c> relabeling would; a missing label counts as
    /// empty. Hash the same labels as <see cref="ShardedScrape.ShardBy"/> to keep a target's history and its live
    /// samples in one shard. Default <c>instance</c>.
    /// </summary>
    public IReadOnlyList<string> HistoryShardBy { get; init; } = ["instance"];

    /// <summary>promtool's <c>--max-block-duration</c> for the backfilled blocks. Default 24 h.</summary>
    public TimeSpan HistoryBlockDuration { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Recording rules to record over each shard's own history with promtool before the servers start, as
    /// <see cref="Promtool.BackfillRulesAsync"/> does over one directory: a recorded series comes from its shard's
    /// series only, so it lives on the shard that holds (and scrapes) what it was computed from, in every replica.
    /// A replica that loses samples (<see cref="SampleLoss"/>) records over what it kept. Default none.
    /// </summary>
    public HistoryRules? HistoryRules { get; init; }

    /// <summary>Replicas that lose part of their shard's history, to test replica deduplication. Default none.</summary>
    public IReadOnlyList<ReplicaSampleLoss> SampleLoss { get; init; } = [];

    /// <summary>Live targets each shard scrapes its share of, split by Prometheus' own <c>hashmod</c> relabeling. Default none.</summary>
    public ShardedScrape? Scrape { get; init; }

    /// <summary>
    /// Bounds the whole start: splitting and backfilling the history and every replica becoming ready (each replica
    /// is also bounded by <see cref="PrometheusOptions.StartTimeout"/>). Default 2 minutes.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws <see cref="ArgumentException"/> for options the topology cannot start with.</summary>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Prometheus);
        if (Shards < 1 || Replicas < 1)
            throw new ArgumentException($"{nameof(Shards)} and {nameof(Replicas)} must be at least 1.", nameof(PrometheusTopologyOptions));
        if (Prometheus.DataDirectory is not null || Prometheus.Port is not null)
            throw new ArgumentException("The topology chooses each replica's data directory and port; leave them unset.", nameof(PrometheusTopologyOptions));
        if (Prometheus.ExternalLabels.ContainsKey(PrometheusTopology.ShardLabel) || Prometheus.ExternalLabels.ContainsKey(PrometheusTopology.ReplicaLabel))
            throw new ArgumentException("The topology sets the shard and replica external labels itself.", nameof(PrometheusTopologyOptions));
        if (HistoryFile is not null && !File.Exists(HistoryFile))
            throw new ArgumentException($"History file {HistoryFile} does not exist.", nameof(PrometheusTopologyOptions));
        if (HistoryShardBy.Count == 0)
            throw new ArgumentException($"{nameof(HistoryShardBy)} needs at least one label.", nameof(PrometheusTopologyOptions));
        if (HistoryBlockDuration <= TimeSpan.Zero || StartTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"{nameof(HistoryBlockDuration)} and {nameof(StartTimeout)} must be positive.", nameof(PrometheusTopologyOptions));
        foreach (var loss in SampleLoss)
        {
            if (loss.Shard < 0 || loss.Shard >= Shards || loss.Replica < 0 || loss.Replica >= Replicas)
                throw new ArgumentException($"{loss} names a replica outside {Shards} shards × {Replicas} replicas.", nameof(PrometheusTopologyOptions));
            if (loss.Fraction is < 0 or >= 1 || double.IsNaN(loss.Fraction))
                throw new ArgumentException($"{loss}: the fraction must be at least 0 and below 1.", nameof(PrometheusTopologyOptions));
        }
        if (SampleLoss.GroupBy(static l => (l.Shard, l.Replica)).Any(static g => g.Count() > 1))
            throw new ArgumentException("A replica may appear once in SampleLoss.", nameof(PrometheusTopologyOptions));
        if (SampleLoss.Count > 0 && HistoryFile is null)
            throw new ArgumentException($"{nameof(SampleLoss)} drops history samples, and there is no {nameof(HistoryFile)}.", nameof(PrometheusTopologyOptions));
        if (HistoryRules is not null && HistoryFile is null)
            throw new ArgumentException($"{nameof(HistoryRules)} records rules over the history, and there is no {nameof(HistoryFile)}.", nameof(PrometheusTopologyOptions));
        HistoryRules?.Validate();
        Scrape?.Validate();
    }
}

/// <summary>Recording rules to record over each shard's history from <paramref name="Start"/> to <paramref name="End"/> (see <see cref="PrometheusTopologyOptions.HistoryRules"/>).</summary>
/// <param name="RuleFiles">Prometheus rule files; their recording rules are recorded, alerting rules left out by promtool.</param>
/// <param name="Start">The first evaluation time, e.g. the history's start.</param>
/// <param name="End">The last evaluation time, e.g. the history's end.</param>
public sealed record HistoryRules(IReadOnlyList<string> RuleFiles, DateTimeOffset Start, DateTimeOffset End)
{
    internal void Validate()
    {
        if (RuleFiles is null || RuleFiles.Count == 0)
            throw new ArgumentException($"{nameof(HistoryRules)} needs at least one rule file.", nameof(PrometheusTopologyOptions));
        if (RuleFiles.FirstOrDefault(static f => !File.Exists(f)) is { } missing)
            throw new ArgumentException($"Rule file {missing} does not exist.", nameof(PrometheusTopologyOptions));
        if (End <= Start)
            throw new ArgumentException($"{nameof(HistoryRules)} ends at {End:u}, not after its start {Start:u}.", nameof(PrometheusTopologyOptions));
    }
}

/// <summary>
/// One replica that keeps only part of its shard's history: each sample is left out with probability
/// <paramref name="Fraction"/>, drawn from a <see cref="Random"/> seeded with <paramref name="Seed"/> in file order,
/// so the same input and seed always lose the same samples.
/// </summary>
/// <param name="Shard">The shard, from 0.</param>
/// <param name="Replica">The replica within the shard, from 0.</param>
/// <param name="Fraction">The share of samples to leave out, at least 0 and below 1.</param>
/// <param name="Seed">Seeds the choice. Default 1.</param>
public sealed record ReplicaSampleLoss(int Shard, int Replica, double Fraction, int Seed = 1);

/// <summary>
/// A scrape job every shard runs over the same targets, keeping its share by Prometheus' own relabeling, as sharded
/// setups do: <c>hashmod</c> of <see cref="ShardBy"/> into <c>__tmp_hash</c> with the number of shards as modulus,
/// then <c>keep</c> where <c>__tmp_hash</c> is the shard's index. Both replicas of a shard scrape the same targets.
/// </summary>
public sealed record ShardedScrape
{
    /// <summary>The job name. Default <c>sharded</c>.</summary>
    public string JobName { get; init; } = "sharded";

    /// <summary>Static targets as <c>host:port</c>. Default none.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>A file_sd file (JSON or YAML) of further targets, e.g. <c>FleetTargets</c>' groups, refreshed every 5 s. Default none.</summary>
    public string? FileServiceDiscoveryPath { get; init; }

    /// <summary>
    /// The <c>source_labels</c> of the <c>hashmod</c> step. Default <c>__address__</c>; use <c>instance</c> when
    /// targets share an address (like the simulated fleet's) and the history is split by <c>instance</c>.
    /// </summary>
    public IReadOnlyList<string> ShardBy { get; init; } = ["__address__"];

    /// <summary>The job's <c>scrape_interval</c>. Default null: the global one.</summary>
    public string? ScrapeInterval { get; init; }

    /// <summary>The job's <c>metrics_path</c>. Default null: <c>/metrics</c> (or each target's <c>__metrics_path__</c>).</summary>
    public string? MetricsPath { get; init; }

    /// <summary>The scrape config (an item of <c>scrape_configs</c>, at column 0) of shard <paramref name="shard"/> of <paramref name="shards"/>.</summary>
    internal string ToYaml(int shard, int shards)
    {
        var yaml = new StringBuilder();
        yaml.Append("- job_name: ").Append(Quote(JobName)).Append('\n');
        if (ScrapeInterval is not null)
            yaml.Append("  scrape_interval: ").Append(ScrapeInterval).Append('\n');
        if (MetricsPath is not null)
            yaml.Append("  metrics_path: ").Append(Quote(MetricsPath)).Append('\n');
        if (Targets.Count > 0)
            yaml.Append("  static_configs:\n    - targets: [").AppendJoin(", ", Targets.Select(Quote)).Append("]\n");
        if (FileServiceDiscoveryPath is not null)
            yaml.Append("  file_sd_configs:\n    - files: [").Append(Quote(Path.GetFullPath(FileServiceDiscoveryPath))).Append("]\n")
                .Append("      refresh_interval: 5s\n");
        yaml.Append("  relabel_configs:\n")
            .Append("    - source_labels: [").AppendJoin(", ", ShardBy.Select(Quote)).Append("]\n")
            .Append("      modulus: ").Append(shards.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("      target_label: __tmp_hash\n")
            .Append("      action: hashmod\n")
            .Append("    - source_labels: [__tmp_hash]\n")
            .Append("      regex: '").Append(shard.ToString(CultureInfo.InvariantCulture)).Append("'\n")
            .Append("      action: keep\n");
        return yaml.ToString();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(JobName))
            throw new ArgumentException($"{nameof(JobName)} must not be empty.", nameof(ShardedScrape));
        if (Targets.Count == 0 && FileServiceDiscoveryPath is null)
            throw new ArgumentException($"Give {nameof(Targets)}, a {nameof(FileServiceDiscoveryPath)} or both.", nameof(ShardedScrape));
        if (ShardBy.Count == 0)
            throw new ArgumentException($"{nameof(ShardBy)} needs at least one label.", nameof(ShardedScrape));
    }
}
