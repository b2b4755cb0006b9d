using Headroom.Lake.Publishing;
using Headroom.Warehouse;
using Parquet;
using Parquet.Schema;

namespace Headroom.Lake.Utilization;

/// <summary>
/// The Parquet files of the warehouse's tables: typed columns (timestamps, dates, doubles, 64-bit counts, strings),
/// rows sorted by profile, resource, dimension and time so that min/max statistics prune row groups, and
/// <see cref="MaxRowGroupRows"/> rows per group. The content checksum of each row is defined here too, so that the
/// export and the prune compute it the same way.
/// </summary>
internal static class UtilizationParquet
{
    /// <summary>Rows per row group: 1M rows of 11 columns is ~10–20 MB compressed, inside the 8–128 MB range scanners read well.</summary>
    public const int MaxRowGroupRows = 1_000_000;

    private static readonly DataField<string> s_profile = new("profile", false);
    private static readonly DataField<string> s_resourceKey = new("resource_key", false);
    private static readonly DataField<string> s_dimension = new("dimension", false);
    private static readonly DateTimeDataField s_hourStart = new("hour_start", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Millis, isNullable: false);
    private static readonly DataField<DateOnly> s_day = new("day", false);
    private static readonly DataField<double> s_avg = new("avg_value", false);
    private static readonly DataField<double> s_min = new("min_value", false);
    private static readonly DataField<double> s_max = new("max_value", false);
    private static readonly DataField<double> s_p95 = new("p95_value", false);
    private static readonly DataField<double?> s_max5m = new("max_5m_value", true);
    private static readonly DataField<long> s_samples = new("samples", false);
    private static readonly DataField<long> s_expected = new("expected", false);
    private static readonly DataField<int> s_hours = new("hours", false);

    public static readonly ParquetSchema HourlySchema = new(s_profile, s_resourceKey, s_dimension, s_hourStart, s_avg, s_min, s_max, s_p95, s_max5m, s_samples, s_expected);

    public static readonly ParquetSchema DailySchema = new(s_profile, s_resourceKey, s_dimension, s_day, s_avg, s_min, s_max, s_p95, s_max5m, s_samples, s_expected, s_hours);

    public static readonly ParquetSchema ResourcesSchema = new(
        new DataField<string>("profile", false), new DataField<string>("resource_key", false), new DataField<string>("account", true),
        new DataField<string>("region", true), new DataField<string>("instance_type", true), new DataField<string>("name", true),
        new DataField<string>("identity_json", false), new DataField<string>("metadata_json", false),
        new DateTimeDataField("first_seen", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Millis, isNullable: false),
        new DateTimeDataField("last_seen", DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Millis, isNullable: false));

    public static void Add(ContentChecksum checksum, HourlyHistoryRow row)
    {
        var h = row.Row;
        checksum.BeginRow().Text(row.Profile).Text(row.Account).Text(row.Region).Text(h.ResourceKey).Text(h.Dimension).Time(h.HourStart)
            .Number(h.Avg).Number(h.Min).Number(h.Max).Number(h.P95).Number(h.Max5m).Number(h.Samples).Number(h.Expected).End();
    }

    public static void Add(ContentChecksum checksum, DailyHistoryRow row)
    {
        var d = row.Row;
        checksum.BeginRow().Text(row.Profile).Text(row.Account).Text(row.Region).Text(d.ResourceKey).Text(d.Dimension).Day(d.Day)
            .Number(d.Avg).Number(d.Min).Number(d.Max).Number(d.P95).Number(d.Max5m).Number(d.Samples).Number(d.Expected).Number((long)d.Hours).End();
    }

    public static void Add(ContentChecksum checksum, string profile, ResourceRecord r) =>
        checksum.AddRow(profile, r.Key, r.Account, r.Region, r.InstanceType, r.Name, Json(r.Identity), Json(r.Metadata), r.FirstSeen, r.LastSeen);

    public static int Compare(HourlyHistoryRow a, HourlyHistoryRow b)
    {
        var c = string.CompareOrdinal(a.Profile, b.Profile);
        if (c == 0) c = string.CompareOrdinal(a.Row.ResourceKey, b.Row.ResourceKey);
        if (c == 0) c = string.CompareOrdinal(a.Row.Dimension, b.Row.Dimension);
        return c != 0 ? c : a.Row.HourStart.CompareTo(b.Row.HourStart);
    }

    public static int Compare(DailyHistoryRow a, DailyHistoryRow b)
    {
        var c = string.CompareOrdinal(a.Profile, b.Profile);
        if (c == 0) c = string.CompareOrdinal(a.Row.ResourceKey, b.Row.ResourceKey);
        if (c == 0) c = string.CompareOrdinal(a.Row.Dimension, b.Row.Dimension);
        return c != 0 ? c : a.Row.Day.CompareTo(b.Row.Day);
    }

    public static async Task WriteHourlyAsync(string path, IReadOnlyList<HourlyHistoryRow> rows, CompressionMethod compression, CancellationToken cancellationToken)
    {
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(HourlySchema, stream, WriterOptions(compression), false, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var chunk in rows.Chunk(MaxRowGroupRows))
                {
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync(s_profile, chunk.Select(r => r.Profile).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync(s_resourceKey, chunk.Select(r => r.Row.ResourceKey).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync(s_dimension, chunk.Select(r => r.Row.Dimension).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync<DateTime>(s_hourStart, chunk.Select(r => r.Row.HourStart.UtcDateTime).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                    await WriteValuesAsync(group, chunk.Select(r => (r.Row.Avg, r.Row.Min, r.Row.Max, r.Row.P95, r.Row.Max5m, r.Row.Samples, r.Row.Expected)).ToArray(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public static async Task WriteDailyAsync(string path, IReadOnlyList<DailyHistoryRow> rows, CompressionMethod compression, CancellationToken cancellationToken)
    {
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(DailySchema, stream, WriterOptions(compression), false, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var chunk in rows.Chunk(MaxRowGroupRows))
                {
                    using var group = writer.CreateRowGroup();
                    await group.WriteAsync(s_profile, chunk.Select(r => r.Profile).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync(s_resourceKey, chunk.Select(r => r.Row.ResourceKey).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync(s_dimension, chunk.Select(r => r.Row.Dimension).ToArray(), null).ConfigureAwait(false);
                    await group.WriteAsync<DateOnly>(s_day, chunk.Select(r => r.Row.Day).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                    await WriteValuesAsync(group, chunk.Select(r => (r.Row.Avg, r.Row.Min, r.Row.Max, r.Row.P95, r.Row.Max5m, r.Row.Samples, r.Row.Expected)).ToArray(), cancellationToken).ConfigureAwait(false);
                    await group.WriteAsync<int>(s_hours, chunk.Select(r => r.Row.Hours).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public static async Task WriteResourcesAsync(string path, IReadOnlyList<(string Profile, ResourceRecord Resource)> rows, CompressionMethod compression, CancellationToken cancellationToken)
    {
        var stream = File.Create(path);
        await using (stream.ConfigureAwait(false))
        {
            var writer = await ParquetWriter.CreateAsync(ResourcesSchema, stream, WriterOptions(compression), false, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                using var group = writer.CreateRowGroup();
                var f = ResourcesSchema.DataFields;
                await group.WriteAsync(f[0], rows.Select(r => r.Profile).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[1], rows.Select(r => r.Resource.Key).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[2], rows.Select(r => r.Resource.Account).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[3], rows.Select(r => r.Resource.Region).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[4], rows.Select(r => r.Resource.InstanceType).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[5], rows.Select(r => r.Resource.Name).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[6], rows.Select(r => Json(r.Resource.Identity)).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync(f[7], rows.Select(r => Json(r.Resource.Metadata)).ToArray(), null).ConfigureAwait(false);
                await group.WriteAsync<DateTime>(f[8], rows.Select(r => r.Resource.FirstSeen.UtcDateTime).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
                await group.WriteAsync<DateTime>(f[9], rows.Select(r => r.Resource.LastSeen.UtcDateTime).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The rows a Parquet file holds, from its footer.</summary>
    public static async Task<long> CountRowsAsync(string path, CancellationToken cancellationToken)
    {
        var reader = await ParquetReader.CreateAsync(path, null, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            long rows = 0;
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                rows += group.RowCount;
            }
            return rows;
        }
    }

    private static async Task WriteValuesAsync(ParquetRowGroupWriter group, (double Avg, double Min, double Max, double P95, double? Max5m, long Samples, long Expected)[] v, CancellationToken cancellationToken)
    {
        await group.WriteAsync<double>(s_avg, v.Select(x => x.Avg).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<double>(s_min, v.Select(x => x.Min).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<double>(s_max, v.Select(x => x.Max).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<double>(s_p95, v.Select(x => x.P95).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<double>(s_max5m, v.Select(x => x.Max5m).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<long>(s_samples, v.Select(x => x.Samples).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync<long>(s_expected, v.Select(x => x.Expected).ToArray(), null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The writer's options. ZSTD at <see cref="System.IO.Compression.CompressionLevel.Fastest"/>: Parquet.Net's
    /// default level for ZSTD (Optimal) took 3.2–6.3 s to write one day of 96,000 hourly rows on the 2-core bench
    /// machine, Fastest 0.28 s, for a file 1.43 times the size (3.5 MB against 2.5 MB; Snappy 4.1 MB). The export
    /// is bounded by that write, so the faster level makes it several times faster (docs/benchmarks.md, issue 15).
    /// </summary>
    internal static ParquetOptions WriterOptions(CompressionMethod compression) => new()
    {
        CompressionMethod = compression,
        CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
    };

    private static string Json(IReadOnlyDictionary<string, string> labels) =>
        System.Text.Json.JsonSerializer.Serialize(labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value), LakeJsonContext.Default.DictionaryStringString);
}
