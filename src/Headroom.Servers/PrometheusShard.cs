namespace Headroom.Servers;

/// <summary>One shard of a <see cref="PrometheusTopology"/>: replicas holding the same share of the series.</summary>
public sealed class PrometheusShard
{
    internal PrometheusShard(int index, IReadOnlyList<PrometheusReplica> replicas, long historySeries, long historySamples)
    {
        Index = index;
        Replicas = replicas;
        HistorySeries = historySeries;
        HistorySamples = historySamples;
    }

    /// <summary>The shard's index, from 0; also the value of the <c>shard</c> external label.</summary>
    public int Index { get; }

    /// <summary>The shard's replicas, by index.</summary>
    public IReadOnlyList<PrometheusReplica> Replicas { get; }

    /// <summary>Distinct history series the split gave this shard (0 without history).</summary>
    public long HistorySeries { get; }

    /// <summary>History samples the split gave this shard, before any <see cref="ReplicaSampleLoss"/>.</summary>
    public long HistorySamples { get; }

    /// <summary>Stops every replica of the shard gracefully, all at once, as when the whole shard goes down.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Replicas.Select(r => r.StopAsync(cancellationToken)));

    /// <summary>Starts every replica of the shard that is not running, all at once, on their ports and data directories.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(Replicas.Select(r => r.EnsureRunningAsync(cancellationToken)));

    /// <inheritdoc/>
    public override string ToString() => $"shard {Index}";
}
