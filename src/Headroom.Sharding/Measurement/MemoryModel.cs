namespace Headroom.Sharding;

/// <summary>
/// Resident memory as a function of head series, <c>fixed + perSeries × series</c>, fitted to what the shards
/// measure: a least-squares line through (head series, RSS) when the shards differ enough in size, else RSS over
/// series with no fixed part, else an assumption.
/// </summary>
/// <param name="FixedBytes">Memory a shard uses with no series (binary, caches, query buffers).</param>
/// <param name="BytesPerSeries">Memory each head series adds.</param>
/// <param name="Source">How the numbers were found: <c>fit</c>, <c>ratio</c> or <c>assumed</c>.</param>
public sealed record MemoryModel(double FixedBytes, double BytesPerSeries, string Source)
{
    /// <summary>
    /// Bytes per head series assumed when no shard reports its memory: 4 KiB, the order Prometheus' own
    /// benchmarks give for a head series with its postings, chunks and labels at a 15 s scrape interval.
    /// </summary>
    public const double AssumedBytesPerSeries = 4096;

    /// <summary>The model of <paramref name="shards"/>' measurements.</summary>
    public static MemoryModel Of(IReadOnlyList<ShardUsage> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        var points = shards.Where(static s => s.HeadSeries > 0 && double.IsFinite(s.ResidentBytes) && s.ResidentBytes > 0).ToList();
        if (points.Count == 0)
            return new MemoryModel(0, AssumedBytesPerSeries, "assumed");
        var meanX = points.Average(static p => (double)p.HeadSeries);
        var meanY = points.Average(static p => p.ResidentBytes);
        var spread = points.Max(static p => p.HeadSeries) - points.Min(static p => p.HeadSeries);
        // A line needs shards of different sizes: under a 20% spread the slope is mostly noise.
        if (points.Count >= 2 && spread > 0.2 * meanX)
        {
            var sxy = points.Sum(p => (p.HeadSeries - meanX) * (p.ResidentBytes - meanY));
            var sxx = points.Sum(p => (p.HeadSeries - meanX) * (p.HeadSeries - meanX));
            var slope = sxy / sxx;
            var intercept = meanY - (slope * meanX);
            if (slope > 0 && intercept >= 0)
                return new MemoryModel(intercept, slope, "fit");
        }
        return new MemoryModel(0, points.Sum(static p => p.ResidentBytes) / points.Sum(static p => (double)p.HeadSeries), "ratio");
    }

    /// <summary>The most head series a shard can hold within <paramref name="budgetBytes"/> of memory.</summary>
    /// <exception cref="ShardingException">The budget is below the fixed part.</exception>
    public long SeriesWithin(double budgetBytes)
    {
        var series = (budgetBytes - FixedBytes) / BytesPerSeries;
        if (series < 1)
            throw new ShardingException($"a memory budget of {ByteSize.Format(budgetBytes)} is below the {ByteSize.Format(FixedBytes)} a shard uses with no series; raise --budget-memory");
        return (long)series;
    }

    /// <summary>The memory a shard holding <paramref name="series"/> head series should use.</summary>
    public double BytesFor(long series) => FixedBytes + (BytesPerSeries * series);
}
