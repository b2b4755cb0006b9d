using Prometheus;

namespace Headroom.Sharding;

/// <summary>
/// The autoscaler's own metrics. The names are part of the product: the meta-monitoring alerts (deploy/rules/meta)
/// use them. Each autoscaler has its own registry, so several can run in one process (tests).
/// </summary>
public sealed class AutoscalerMetrics
{
    private readonly Gauge _shards;
    private readonly Gauge _shardSeries;
    private readonly Counter _reconciles;
    private readonly Counter _failures;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _handovers;
    private readonly Counter _moved;

    /// <summary>Creates the metrics in a registry of their own.</summary>
    public AutoscalerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _shards = factory.CreateGauge("headroom_autoscaler_shards", "Shards scraping now (retired shards still read by the gateway are not counted).");
        _shardSeries = factory.CreateGauge("headroom_autoscaler_shard_head_series",
            "Head series the targets of each scraping shard add, as measured (what the watermarks compare with the budget).",
            new GaugeConfiguration { LabelNames = ["shard"] });
        _reconciles = factory.CreateCounter("headroom_autoscaler_reconciles_total", "Reconciles run, failed or not.");
        _failures = factory.CreateCounter("headroom_autoscaler_reconcile_failures_total", "Reconciles that failed (source unreachable, a shard that did not start, a file not written).");
        _lastSuccess = factory.CreateGauge("headroom_autoscaler_last_reconcile_success_timestamp_seconds", "When the last reconcile succeeded, in seconds since the Unix epoch.");
        _handovers = factory.CreateGauge("headroom_autoscaler_handovers_in_progress", "Targets scraped by both their old and their new shard now.");
        _moved = factory.CreateCounter("headroom_autoscaler_series_moved_total", "Series of targets moved to another shard by re-plans.");
    }

    /// <summary>The registry to expose at <c>/metrics</c>.</summary>
    public CollectorRegistry Registry { get; }

    internal void Reconciled(bool succeeded, DateTimeOffset now)
    {
        _reconciles.Inc();
        if (succeeded)
            _lastSuccess.Set(now.ToUnixTimeMilliseconds() / 1000.0);
        else
            _failures.Inc();
    }

    internal void Observe(IReadOnlyList<ShardState> scraping, IReadOnlyDictionary<string, long> seriesByShard, int handovers)
    {
        _shards.Set(scraping.Count);
        foreach (var labels in _shardSeries.GetAllLabelValues().ToList())
        {
            if (!scraping.Any(s => s.Name == labels[0]))
                _shardSeries.RemoveLabelled(labels);
        }
        foreach (var shard in scraping)
            _shardSeries.WithLabels(shard.Name).Set(seriesByShard.GetValueOrDefault(shard.Name));
        _handovers.Set(handovers);
    }

    internal void Moved(long series) => _moved.Inc(series);
}
