using Headroom.Lake.Publishing;
using Headroom.Warehouse;

namespace Headroom.Lake.Utilization;

/// <summary>What <see cref="HourlyPrune"/> did.</summary>
/// <param name="Days">The days whose hourly rows were deleted.</param>
public sealed record PruneReport(IReadOnlyList<DateOnly> Days, long RowsDeleted);

/// <summary>The lake does not prove that rows to prune were exported; nothing was deleted. The message says which partition and why.</summary>
public sealed class PruneRefusedException : Exception
{
    public PruneRefusedException() { }

    public PruneRefusedException(string message) : base(message) { }

    public PruneRefusedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// <c>headroom etl prune</c>: deletes the warehouse's hourly rows before a day, but only days whose every row the
/// lake holds: for each day and account/region, the published manifest's row count and content checksum must equal
/// those of the warehouse's rows, and its files must be in the store. Every day is checked before any is deleted; one
/// that fails refuses the whole prune. Each day is then deleted in its own transaction, which rolls back if the day's
/// row count changed since the check. Daily rows stay.
/// </summary>
public sealed class HourlyPrune(IWarehouseHistory warehouse, PartitionPublisher lake)
{
    /// <summary>Prunes hourly rows of days before <paramref name="before"/>.</summary>
    /// <exception cref="PruneRefusedException">A day's rows are not proven exported.</exception>
    public async Task<PruneReport> RunAsync(DateOnly before, CancellationToken cancellationToken = default)
    {
        var range = await warehouse.GetHourlyRangeAsync(cancellationToken).ConfigureAwait(false);
        if (range is null)
            return new PruneReport([], 0);
        var proven = new List<(DateOnly Day, long Rows)>();
        for (var day = DateOnly.FromDateTime(range.First.UtcDateTime); day < before; day = day.AddDays(1))
        {
            var rows = await ProveAsync(day, cancellationToken).ConfigureAwait(false);
            if (rows > 0)
                proven.Add((day, rows));
        }
        long deleted = 0;
        foreach (var (day, rows) in proven)
            deleted += await warehouse.DeleteHourlyDayAsync(day, rows, cancellationToken).ConfigureAwait(false);
        return new PruneReport(proven.Select(p => p.Day).ToList(), deleted);
    }

    private async Task<long> ProveAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var leaves = new Dictionary<(string?, string?), ContentChecksum>();
        await foreach (var row in warehouse.ReadHourlyDayAsync(day, cancellationToken).ConfigureAwait(false))
        {
            if (!leaves.TryGetValue((row.Account, row.Region), out var checksum))
                leaves[(row.Account, row.Region)] = checksum = new ContentChecksum();
            UtilizationParquet.Add(checksum, row);
        }
        var fix = $"run 'headroom lake export --from {day:yyyy-MM-dd}' into {lake.Store.Location} first";
        foreach (var ((account, region), checksum) in leaves)
        {
            var (path, _) = LakeLayout.Hourly(day, account, region);
            var manifest = await lake.ReadManifestAsync(path, cancellationToken).ConfigureAwait(false)
                ?? throw new PruneRefusedException($"refusing to prune: {checksum.Rows} hourly rows of {day:yyyy-MM-dd} (account {account ?? LakeLayout.None}, region {region ?? LakeLayout.None}) are not in the lake (no manifest at {lake.Store.Location}/{path}); {fix}");
            if (manifest.Rows != checksum.Rows || manifest.ContentChecksum != checksum.ToString())
                throw new PruneRefusedException($"refusing to prune: the lake's {path} holds {manifest.Rows} rows with checksum {manifest.ContentChecksum}, the warehouse {checksum.Rows} rows with checksum {checksum}: the day changed after it was exported; {fix}");
            if (!await lake.IsWholeAsync(manifest, cancellationToken).ConfigureAwait(false))
                throw new PruneRefusedException($"refusing to prune: a file named by {lake.Store.Location}/{manifest.Key} is missing or of another size; {fix}");
        }
        return leaves.Values.Sum(c => c.Rows);
    }
}
