namespace Headroom.Sharding;

/// <summary>
/// An assignment of targets to shards, with each shard's series. Immutable; the planner builds new ones.
/// </summary>
public sealed class ShardPlan
{
    private readonly Dictionary<string, int> _shardOf;

    /// <param name="targets">Every target of the fleet.</param>
    /// <param name="shardOf">The shard (0 to <paramref name="shardCount"/> − 1) of each target, by index in <paramref name="targets"/>.</param>
    /// <param name="shardCount">How many shards.</param>
    public ShardPlan(IReadOnlyList<ShardTarget> targets, IReadOnlyList<int> shardOf, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(shardOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        if (shardOf.Count != targets.Count)
            throw new ArgumentException($"{shardOf.Count} shard indexes for {targets.Count} targets", nameof(shardOf));
        Targets = targets;
        ShardCount = shardCount;
        var series = new long[shardCount];
        var counts = new int[shardCount];
        _shardOf = new Dictionary<string, int>(targets.Count, StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            var shard = shardOf[i];
            if (shard < 0 || shard >= shardCount)
                throw new ArgumentOutOfRangeException(nameof(shardOf), shard, $"target {targets[i].Id} is on shard {shard}, outside 0..{shardCount - 1}");
            if (!_shardOf.TryAdd(targets[i].Id, shard))
                throw new ArgumentException($"target {targets[i].Id} appears twice", nameof(targets));
            series[shard] += targets[i].Series;
            counts[shard]++;
        }
        SeriesPerShard = series;
        TargetsPerShard = counts;
    }

    /// <summary>Every target of the fleet.</summary>
    public IReadOnlyList<ShardTarget> Targets { get; }

    /// <summary>How many shards.</summary>
    public int ShardCount { get; }

    /// <summary>Head series per shard.</summary>
    public IReadOnlyList<long> SeriesPerShard { get; }

    /// <summary>Targets per shard.</summary>
    public IReadOnlyList<int> TargetsPerShard { get; }

    /// <summary>Every target's series together.</summary>
    public long TotalSeries => SeriesPerShard.Sum();

    /// <summary>The largest shard's series.</summary>
    public long MaxSeries => SeriesPerShard.Max();

    /// <summary>Mean series per shard.</summary>
    public double MeanSeries => (double)TotalSeries / ShardCount;

    /// <summary>The largest shard over the mean: 1 is perfect balance; the planner keeps it at most 1.1 where the targets allow.</summary>
    public double Balance => TotalSeries == 0 ? 1 : MaxSeries / MeanSeries;

    /// <summary>The shard of a target, or null when the plan has no such target.</summary>
    public int? ShardOf(string targetId) => _shardOf.TryGetValue(targetId, out var shard) ? shard : null;

    /// <summary>The targets of one shard, in fleet order.</summary>
    public IEnumerable<ShardTarget> TargetsOf(int shard) => Targets.Where(t => _shardOf[t.Id] == shard);

    /// <summary>
    /// What changes from <paramref name="previous"/> to this plan: targets (and their series) on another shard now.
    /// Targets new to the fleet or gone from it are not moves.
    /// </summary>
    public PlanChange ChangeFrom(ShardPlan? previous)
    {
        if (previous is null)
            return new PlanChange(0, 0, TotalSeries);
        long series = 0;
        var targets = 0;
        foreach (var target in Targets)
        {
            if (previous.ShardOf(target.Id) is { } before && before != _shardOf[target.Id])
            {
                targets++;
                series += target.Series;
            }
        }
        return new PlanChange(targets, series, TotalSeries);
    }
}

/// <summary>Targets and series a re-plan moves to another shard.</summary>
/// <param name="TargetsMoved">Targets whose shard changed.</param>
/// <param name="SeriesMoved">Their series.</param>
/// <param name="TotalSeries">All series of the new plan.</param>
public readonly record struct PlanChange(int TargetsMoved, long SeriesMoved, long TotalSeries)
{
    /// <summary>The share of all series moved (0 to 1).</summary>
    public double SeriesMovedShare => TotalSeries == 0 ? 0 : (double)SeriesMoved / TotalSeries;
}
