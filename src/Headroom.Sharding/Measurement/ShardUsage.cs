namespace Headroom.Sharding;

/// <summary>What one Prometheus shard measures of itself.</summary>
/// <param name="Instance">The shard's <c>instance</c> label as its self-scrape names it.</param>
/// <param name="HeadSeries"><c>prometheus_tsdb_head_series</c>.</param>
/// <param name="ResidentBytes"><c>process_resident_memory_bytes</c>, or NaN when not scraped.</param>
/// <param name="CpuCores"><c>rate(process_cpu_seconds_total[5m])</c>, or NaN when not scraped.</param>
public sealed record ShardUsage(string Instance, long HeadSeries, double ResidentBytes, double CpuCores);

/// <summary>What the source measured: series per target and each shard's own use.</summary>
/// <param name="SeriesByTarget">Head series per target id (<c>instance</c>): samples per scrape plus the five series Prometheus adds per target.</param>
/// <param name="Shards">The shards' own use; empty when they do not scrape themselves.</param>
public sealed record FleetMeasurement(IReadOnlyDictionary<string, long> SeriesByTarget, IReadOnlyList<ShardUsage> Shards)
{
    /// <summary>
    /// The series of each of <paramref name="targets"/>: measured, or for a target not scraped yet the median of the
    /// measured ones (a new host usually looks like the others; the next plan corrects it).
    /// </summary>
    /// <returns>The targets with series, and how many were estimated.</returns>
    public (IReadOnlyList<ShardTarget> Targets, int Estimated) SeriesOf(IReadOnlyList<FileSdTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var known = SeriesByTarget.Values.Order().ToList();
        var median = known.Count == 0 ? 1 : known[known.Count / 2];
        var estimated = 0;
        var result = new List<ShardTarget>(targets.Count);
        foreach (var target in targets)
        {
            if (SeriesByTarget.TryGetValue(target.Id, out var series))
            {
                result.Add(new ShardTarget(target.Id, series));
            }
            else
            {
                estimated++;
                result.Add(new ShardTarget(target.Id, median));
            }
        }
        return (result, estimated);
    }
}
