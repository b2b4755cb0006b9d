using System.Diagnostics;
using System.Text.Json;
using Headroom.Lake.Publishing;
using Headroom.Lake.Storage;
using Headroom.Warehouse;
using Parquet;

namespace Headroom.Lake.Utilization;

/// <summary>Options of <see cref="UtilizationExport"/>.</summary>
public sealed record LakeExportOptions
{
    /// <summary>The first day to export; default the watermark minus <see cref="OverlapDays"/>, or the warehouse's first day.</summary>
    public DateOnly? From { get; init; }

    /// <summary>The day after the last to export; default the day after the warehouse's last hour.</summary>
    public DateOnly? To { get; init; }

    /// <summary>
    /// Days before the watermark exported again: the ETL rewrites its last hour on each run and fills gaps later, so
    /// recent days can change after they were exported. An unchanged partition is compared, not rewritten. Default 2.
    /// </summary>
    public int OverlapDays { get; init; } = 2;

    /// <summary>Parquet compression: ZSTD (default, smaller) or Snappy (faster, the widest support).</summary>
    public CompressionMethod Compression { get; init; } = CompressionMethod.Zstd;

    /// <summary>Test seam: called after each partition is published, with its path.</summary>
    public Action<string>? AfterPartition { get; init; }
}

/// <summary>What an export did.</summary>
public sealed record LakeExportReport(DateOnly From, DateOnly To, int PartitionsWritten, int PartitionsUnchanged, long RowsWritten, long BytesWritten, TimeSpan Elapsed);

/// <summary>The watermark the export keeps in the lake (<see cref="LakeLayout.WatermarkKey"/>): hourly rows before <see cref="HourlyThrough"/> are exported.</summary>
public sealed record ExportWatermark(DateOnly HourlyThrough, DateTimeOffset UpdatedAt);

/// <summary>
/// <c>headroom lake export</c>: the warehouse's hourly and daily utilization and its resources, as Parquet partitions.
/// Day by day (hourly) and month by month (daily), each partition's rows are read, checksummed and compared with the
/// published manifest; a partition that changed is written, verified and published whole. The watermark moves only
/// after every partition up to it is published, so a crash or a kill costs a rerun of the same days, never a half
/// partition or a duplicate row.
/// </summary>
public sealed class UtilizationExport(IWarehouseHistory warehouse, PartitionPublisher publisher, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>Exports the days of <paramref name="options"/>.</summary>
    public async Task<LakeExportReport> RunAsync(LakeExportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stopwatch = Stopwatch.StartNew();
        if (publisher.Store is FolderObjectStore folder)
            folder.SweepStaging();
        var watermark = await ReadWatermarkAsync(publisher.Store, cancellationToken).ConfigureAwait(false);
        var hourly = await warehouse.GetHourlyRangeAsync(cancellationToken).ConfigureAwait(false);
        var daily = await warehouse.GetDailyRangeAsync(cancellationToken).ConfigureAwait(false);
        var first = Min(hourly is null ? null : DateOnly.FromDateTime(hourly.First.UtcDateTime), daily?.First);
        var last = Max(hourly is null ? null : DateOnly.FromDateTime(hourly.Last.UtcDateTime), daily?.Last);
        var tally = new Tally();
        var from = options.From ?? (watermark is null ? first : watermark.HourlyThrough.AddDays(-options.OverlapDays)) ?? default;
        var to = options.To ?? last?.AddDays(1) ?? default;
        if (first is not null && from < first)
            from = first.Value;
        if (first is null || from >= to)
            return new LakeExportReport(from, to, 0, 0, 0, 0, stopwatch.Elapsed);

        await ExportHourlyDaysAsync(from, to, options, tally, cancellationToken).ConfigureAwait(false);
        for (var month = new DateOnly(from.Year, from.Month, 1); month < to; month = month.AddMonths(1))
        {
            var leaves = await ReadLeavesAsync(warehouse.ReadDailyRangeAsync(month, month.AddMonths(1), cancellationToken), static r => (r.Account, r.Region),
                UtilizationParquet.Add, cancellationToken).ConfigureAwait(false);
            await PublishLeavesAsync(leaves, (a, r) => LakeLayout.Daily(month, a, r), (file, rows, ct) =>
            {
                rows.Sort(UtilizationParquet.Compare);
                return UtilizationParquet.WriteDailyAsync(file, rows, options.Compression, ct);
            }, options, tally, cancellationToken).ConfigureAwait(false);
        }
        await ExportResourcesAsync(options, tally, cancellationToken).ConfigureAwait(false);

        if (watermark is null || to > watermark.HourlyThrough)
        {
            await Failpoint.HitAsync(Failpoint.LakeWatermark, cancellationToken).ConfigureAwait(false);
            var next = new ExportWatermark(to, _clock.GetUtcNow());
            await publisher.Store.PutAsync(LakeLayout.WatermarkKey, JsonSerializer.SerializeToUtf8Bytes(next, LakeJsonContext.Default.ExportWatermark), cancellationToken).ConfigureAwait(false);
        }
        return new LakeExportReport(from, to, tally.Written, tally.Unchanged, tally.Rows, tally.Bytes, stopwatch.Elapsed);
    }

    /// <summary>The export's watermark in <paramref name="store"/>, or null before the first export.</summary>
    public static async Task<ExportWatermark?> ReadWatermarkAsync(IObjectStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var bytes = await store.GetAsync(LakeLayout.WatermarkKey, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : JsonSerializer.Deserialize(bytes, LakeJsonContext.Default.ExportWatermark);
    }

    /// <summary>
    /// Exports the hourly days [<paramref name="from"/>, <paramref name="to"/>) as a two-stage pipeline: while one day
    /// is sorted, written and published, the next is read from the warehouse and checksummed on the thread pool. The
    /// two stages cost about the same (the bench's breakdown, docs/benchmarks.md), so on two cores this nearly halves
    /// the export. At most two days are held in memory; a day is published only after the previous one.
    /// </summary>
    private async Task ExportHourlyDaysAsync(DateOnly from, DateOnly to, LakeExportOptions options, Tally tally, CancellationToken cancellationToken)
    {
        Task<Leaves<HourlyHistoryRow>>? next = ReadHourlyDayAsync(from, cancellationToken);
        try
        {
            for (var day = from; day < to; day = day.AddDays(1))
            {
                var leaves = await next!.ConfigureAwait(false);
                next = day.AddDays(1) < to ? ReadHourlyDayAsync(day.AddDays(1), cancellationToken) : null;
                var current = day;
                await PublishLeavesAsync(leaves, (a, r) => LakeLayout.Hourly(current, a, r), (file, rows, ct) =>
                {
                    rows.Sort(UtilizationParquet.Compare);
                    return UtilizationParquet.WriteHourlyAsync(file, rows, options.Compression, ct);
                }, options, tally, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // A failed publish leaves the next day's read running: wait for it so that it does not outlive the export
            // (its own failure, if any, is secondary to the one already propagating).
            if (next is not null)
                await next.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    // Task.Run: the SQLite provider completes its "async" reads synchronously, so without it the read would not overlap.
    private Task<Leaves<HourlyHistoryRow>> ReadHourlyDayAsync(DateOnly day, CancellationToken cancellationToken) =>
        Task.Run(() => ReadLeavesAsync(warehouse.ReadHourlyDayAsync(day, cancellationToken), static r => (r.Account, r.Region), UtilizationParquet.Add, cancellationToken), cancellationToken);

    /// <summary>Reads one day's (or month's) rows split by account and region, with each leaf's content checksum.</summary>
    private static async Task<Leaves<T>> ReadLeavesAsync<T>(IAsyncEnumerable<T> source, Func<T, (string?, string?)> placeOf, Action<ContentChecksum, T> add,
        CancellationToken cancellationToken)
    {
        var leaves = new Leaves<T>();
        await foreach (var row in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var place = placeOf(row);
            if (!leaves.TryGetValue(place, out var leaf))
                leaves[place] = leaf = ([], new ContentChecksum());
            leaf.Rows.Add(row);
            add(leaf.Checksum, row);
        }
        return leaves;
    }

    /// <summary>
    /// Publishes each leaf partition of one day (or month) that changed, and deletes the leaves of that day the
    /// warehouse no longer has rows for (a resource that moved account or region). A day without rows is one the
    /// warehouse pruned (or never had): the lake's copy stays.
    /// </summary>
    private async Task PublishLeavesAsync<T>(Leaves<T> leaves, Func<string?, string?, (string Path, IReadOnlyList<PartitionKey> Keys)> partition,
        Func<string, List<T>, CancellationToken, Task> write, LakeExportOptions options, Tally tally, CancellationToken cancellationToken)
    {
        if (leaves.Count == 0)
            return;
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ((account, region), (rows, checksum)) in leaves)
        {
            var (path, keys) = partition(account, region);
            current.Add(path);
            await PublishIfChangedAsync(path, keys, rows.Count, checksum.ToString(), options, tally, (file, ct) => write(file, rows, ct), cancellationToken).ConfigureAwait(false);
        }
        await DeleteVanishedAsync(partition(null, null).Path.Split("/account=")[0] + "/", current, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExportResourcesAsync(LakeExportOptions options, Tally tally, CancellationToken cancellationToken)
    {
        var rows = (await warehouse.ReadAllResourcesAsync(cancellationToken).ConfigureAwait(false)).ToList();
        rows.Sort((a, b) => string.CompareOrdinal(a.Profile, b.Profile) is var c && c != 0 ? c : string.CompareOrdinal(a.Resource.Key, b.Resource.Key));
        var checksum = new ContentChecksum();
        foreach (var (profile, resource) in rows)
            UtilizationParquet.Add(checksum, profile, resource);
        var (path, keys) = LakeLayout.Resources();
        await PublishIfChangedAsync(path, keys, rows.Count, checksum.ToString(), options, tally,
            (file, ct) => UtilizationParquet.WriteResourcesAsync(file, rows, options.Compression, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishIfChangedAsync(string path, IReadOnlyList<PartitionKey> keys, long rows, string checksum, LakeExportOptions options, Tally tally,
        Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var existing = await publisher.ReadManifestAsync(path, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.ContentChecksum == checksum && existing.Rows == rows && await publisher.IsWholeAsync(existing, cancellationToken).ConfigureAwait(false))
        {
            tally.Unchanged++;
            return;
        }
        var staged = publisher.Store.NewStagingPath(".parquet");
        try
        {
            await write(staged, cancellationToken).ConfigureAwait(false);
            var manifest = await publisher.PublishAsync(path, keys, [new StagedFile(staged, LakeLayout.DataFile, rows)], checksum,
                UtilizationParquet.CountRowsAsync, cancellationToken).ConfigureAwait(false);
            tally.Written++;
            tally.Rows += manifest.Rows;
            tally.Bytes += manifest.Files.Sum(f => f.Bytes);
            options.AfterPartition?.Invoke(path);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    /// <summary>Deletes partitions under <paramref name="prefix"/> that the warehouse no longer has rows for (a resource that moved account or region).</summary>
    private async Task DeleteVanishedAsync(string prefix, HashSet<string> current, CancellationToken cancellationToken)
    {
        var vanished = new List<PartitionManifest>();
        await foreach (var manifest in publisher.ListManifestsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!current.Contains(manifest.Partition))
                vanished.Add(manifest);
        }
        foreach (var manifest in vanished)
            await publisher.DeleteAsync(manifest, cancellationToken).ConfigureAwait(false);
    }

    private static DateOnly? Min(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateOnly? Max(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private sealed class Leaves<T> : Dictionary<(string? Account, string? Region), (List<T> Rows, ContentChecksum Checksum)>;

    private sealed class Tally
    {
        public int Written { get; set; }

        public int Unchanged { get; set; }

        public long Rows { get; set; }

        public long Bytes { get; set; }
    }
}
