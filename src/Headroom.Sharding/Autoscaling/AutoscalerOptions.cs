namespace Headroom.Sharding;

/// <summary>Where the autoscaler's shards run.</summary>
public enum AutoscalerMode
{
    /// <summary>The autoscaler starts and stops Prometheus processes on this machine.</summary>
    Local,

    /// <summary>The autoscaler writes Kubernetes manifests (a StatefulSet and a ConfigMap per shard) for an orchestrator to apply.</summary>
    Kubernetes,
}

/// <summary>The autoscaler's settings, as <c>shards.yml</c> gives them. Every property but the paths has a default.</summary>
public sealed record AutoscalerOptions
{
    /// <summary>The fleet's file_sd file, re-read at every reconcile.</summary>
    public required string TargetsFile { get; init; }

    /// <summary>Where shard file_sd files, <c>topology.yml</c> and manifests are written.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Where series per target are read (a gateway or a Prometheus). Null (the default): each shard's own Prometheus.
    /// </summary>
    public Uri? Source { get; init; }

    /// <summary>The scrape job's name; the same on every shard, so a target's series are the same series wherever it is scraped. Default <c>fleet</c>.</summary>
    public string Job { get; init; } = "fleet";

    /// <summary>How often each shard scrapes. Default 15 s.</summary>
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The lookback delta of the queries reading the shards (the gateway's, Prometheus' default 5 m).</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long Prometheus may take to notice a changed file_sd file (its <c>refresh_interval</c>). Default 5 s.</summary>
    public TimeSpan FileSdRefresh { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time between reconciles. Default 30 s.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest one reconcile may take before it counts as failed. Default 2 minutes.</summary>
    public TimeSpan ReconcileTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The most series one shard may hold.</summary>
    public required long BudgetSeries { get; init; }

    /// <summary>Re-plan with more shards when a shard would hold more than this share of the budget. Default 0.9.</summary>
    public double HighWatermark { get; init; } = 0.9;

    /// <summary>Re-plan with fewer shards when every shard would hold less than this share of the budget. Default 0.4.</summary>
    public double LowWatermark { get; init; } = 0.4;

    /// <summary>Fewest shards. Default 1.</summary>
    public int MinShards { get; init; } = 1;

    /// <summary>Most shards. Default 16.</summary>
    public int MaxShards { get; init; } = 16;

    /// <summary>Replicas per shard (an HA pair is 2). Default 1.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>How long a shard's data stays: a retired shard is read by the gateway this long after it stopped scraping. Default 15 d.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(15);

    /// <summary>Series counted for a target no shard has scraped yet when none has been measured. Default 100.</summary>
    public long DefaultTargetSeries { get; init; } = 100;

    /// <summary>Where the shards run. Default <see cref="AutoscalerMode.Local"/>.</summary>
    public AutoscalerMode Mode { get; init; } = AutoscalerMode.Local;

    /// <summary>The namespace the Kubernetes manifests name. Default <c>monitoring</c>.</summary>
    public string KubernetesNamespace { get; init; } = "monitoring";

    /// <summary>The Prometheus image of the Kubernetes manifests. Default <c>quay.io/prometheus/prometheus:v3.5.0</c>.</summary>
    public string PrometheusImage { get; init; } = "quay.io/prometheus/prometheus:v3.5.0";

    /// <summary>
    /// How long both shards scrape a moved target: two scrape intervals plus the lookback delta, after the time the
    /// new shard may take to read its file. A query at any instant then finds a full lookback window on the new shard
    /// before the old one stops.
    /// </summary>
    public TimeSpan Overlap => FileSdRefresh + (2 * ScrapeInterval) + LookbackDelta;

    /// <summary>The series a shard is planned at when the fleet is re-planned: halfway between the watermarks.</summary>
    public long TargetSeries => (long)(BudgetSeries * (HighWatermark + LowWatermark) / 2);

    /// <summary>The shard file and topology file paths.</summary>
    public string TopologyFile => Path.Combine(Directory, "topology.yml");
}
