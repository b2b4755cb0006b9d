using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>The report queries (<see cref="ReportSql"/>), read with the dialect's day and timestamp parameters.</summary>
internal abstract partial class SqlWarehouse : IReportQueries
{
    public async Task<DateOnly?> LatestDayAsync(string profile, string dimension, CancellationToken cancellationToken = default)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var reader = await connection.ExecuteReaderAsync(Definition(ReportSql.LatestDay, new { profile, dim = dimension }, null, cancellationToken)).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
            return null;
        return Timestamps.ReadDay(reader, 0);
    }

    public Task<IReadOnlyList<LowUtilizationRow>> ReadLowUtilizationAsync(LowUtilizationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var w = query.Window;
        return QueryAsync(ReportSql.LowUtilization,
            new
            {
                profile = w.Profile, from = DayValue(w.From), to = DayValue(w.To), cpu = query.CpuDimension, netIn = query.NetworkInDimension,
                netOut = query.NetworkOutDimension, maxCpu = query.MaxDailyCpu, maxNet = query.MaxDailyNetworkBytes,
            },
            static r => new LowUtilizationRow(Resource(r), Int(r, 5), Int(r, 6), Int(r, 7), Double(r, 8) ?? 0, Double(r, 9) ?? 0, Double(r, 10), Long(r, 11)),
            cancellationToken);
    }

    public Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageAsync(PeakUsageQuery query, CancellationToken cancellationToken = default) =>
        ReadPeakUsageAsync(query, null, cancellationToken);

    /// <summary>The peak usage, with the hours before the warehouse's first hourly CPU row read from <paramref name="olderHours"/> when given.</summary>
    internal async Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageAsync(PeakUsageQuery query, IHourlyHistory? olderHours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var w = query.Window;
        var resources = QueryAsync(ReportSql.Resources,
            new { profile = w.Profile, mem = query.MemoryDimension, from = DayValue(w.From), to = DayValue(w.To), start = Ts(w.Start), end = Ts(w.End) },
            static r => (Resource: Resource(r), Id: Long(r, 5), MemoryHours: Long(r, 6), MemoryMax: Double(r, 7), Seen: Long(r, 8) == 1),
            cancellationToken);
        var seeded = new Dictionary<long, CpuHours>();
        if (olderHours is not null)
        {
            // The archived hours come first, in hour order, so that each resource's sum of means adds up in the same
            // order as a warehouse that still held them: the report is the same number, not just a close one.
            var firstHour = await FirstHourlyAsync(w.Profile, query.CpuDimension, cancellationToken).ConfigureAwait(false);
            var archivedEnd = firstHour is { } f && f < w.End ? f : w.End;
            if (archivedEnd > w.Start)
            {
                var ids = (await resources.ConfigureAwait(false)).ToDictionary(r => r.Resource.Key, r => r.Id, StringComparer.Ordinal);
                await foreach (var hour in olderHours.ReadHourlyAsync(w.Profile, query.CpuDimension, w.Start, archivedEnd, cancellationToken).ConfigureAwait(false))
                {
                    if (!ids.TryGetValue(hour.ResourceKey, out var id))
                        continue;
                    if (!seeded.TryGetValue(id, out var h))
                        seeded[id] = h = new CpuHours();
                    h.Maxima.Add(hour.Max5m ?? hour.Max);
                    h.MeanSum += hour.Avg;
                }
            }
        }
        // The hours are streamed and ranked here: sorting 3.4 million hours (10,000 resources × 14 days) in the
        // database took 3x the time of reading them on SQLite. ReportSql.PeakUsage gives the same numbers in SQL.
        var cpu = ReadCpuMaximaAsync(w, query.CpuDimension, seeded, cancellationToken);
        await Task.WhenAll(cpu, resources).ConfigureAwait(false);
        var hours = await cpu.ConfigureAwait(false);
        var rows = new List<PeakUsageRow>();
        foreach (var r in await resources.ConfigureAwait(false))
        {
            if (hours.TryGetValue(r.Id, out var h))
            {
                rows.Add(new PeakUsageRow(r.Resource, h.Maxima.Count, NearestRank(h.Maxima, query.CpuQuantile), h.Maxima.Max(), h.MeanSum / h.Maxima.Count,
                    r.MemoryHours, r.MemoryMax));
            }
            else if (r.Seen)
            {
                rows.Add(new PeakUsageRow(r.Resource, 0, null, null, null, r.MemoryHours, r.MemoryMax));
            }
        }
        return rows;
    }

    /// <summary>The reference SQL of <see cref="ReadPeakUsageAsync(PeakUsageQuery, CancellationToken)"/> (<see cref="ReportSql.PeakUsage"/>), for tests and comparison.</summary>
    internal Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageInSqlAsync(PeakUsageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var w = query.Window;
        return QueryAsync(ReportSql.PeakUsage,
            new
            {
                profile = w.Profile, start = Ts(w.Start), end = Ts(w.End), from = DayValue(w.From), to = DayValue(w.To),
                cpu = query.CpuDimension, mem = query.MemoryDimension, q = query.CpuQuantile,
            },
            static r => new PeakUsageRow(Resource(r), Long(r, 5), Double(r, 6), Double(r, 7), Double(r, 8), Long(r, 9), Double(r, 10)),
            cancellationToken);
    }

    /// <summary>
    /// The nearest-rank quantile as <c>CUME_DIST()</c> defines it: the smallest value with at least
    /// <paramref name="q"/> of the values at or below it (ties counted together). Sorts <paramref name="values"/>.
    /// </summary>
    internal static double NearestRank(List<double> values, double q)
    {
        values.Sort();
        var n = values.Count;
        for (var i = 0; i < n; i++)
        {
            // Skip to the last of equal values: CUME_DIST gives every peer the rank of the last one.
            while (i + 1 < n && values[i + 1] == values[i])
                i++;
            if ((double)(i + 1) / n >= q)
                return values[i];
        }
        return values[^1];
    }

    private sealed class CpuHours
    {
        public List<double> Maxima { get; } = new(24 * 14);

        public double MeanSum { get; set; }
    }

    private async Task<DateTimeOffset?> FirstHourlyAsync(string profile, string dimension, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var reader = await connection.ExecuteReaderAsync(Definition(
            "SELECT MIN(h.hour_start) FROM utilization_hourly h JOIN resources r ON r.id = h.resource_id WHERE h.dimension = @dim AND r.profile = @profile",
            new { profile, dim = dimension }, null, cancellationToken)).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Timestamps.ReadNullable(reader, 0) : null;
    }

    private async Task<Dictionary<long, CpuHours>> ReadCpuMaximaAsync(ReportWindow w, string dimension, Dictionary<long, CpuHours> result, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var command = Command(connection, null, ReportSql.CpuMaxima);
        await using var commandDisposal = command.ConfigureAwait(false);
        Add(command, "@profile", w.Profile);
        Add(command, "@cpu", dimension);
        Add(command, "@start", Ts(w.Start));
        Add(command, "@end", Ts(w.End));
        var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        CpuHours? current = null;
        long currentId = -1;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = reader.GetInt64(0);
            if (id != currentId || current is null)
            {
                currentId = id;
                if (!result.TryGetValue(id, out current))
                    result[id] = current = new CpuHours();
            }
            current.Maxima.Add(reader.GetDouble(1));
            current.MeanSum += reader.GetDouble(2);
        }
        return result;
    }

    public Task<IReadOnlyList<DailyPoint>> ReadDailySeriesAsync(ReportWindow window, string dimension, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        return QueryAsync(ReportSql.DailySeries,
            new { profile = window.Profile, dim = dimension, from = DayValue(window.From), to = DayValue(window.To) },
            static r => new DailyPoint(r.GetString(0), Timestamps.ReadDay(r, 1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4)),
            cancellationToken);
    }

    /// <summary>A UTC day as the provider's parameter value: text in SQLite, a date elsewhere.</summary>
    internal object DayValue(DateOnly day) => Dialect == WarehouseDialect.Sqlite
        ? day.ToString(Timestamps.SqliteDayFormat, CultureInfo.InvariantCulture)
        : day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

    private static ReportResource Resource(DbDataReader r) =>
        new(r.GetString(0), NullableString(r, 1), NullableString(r, 2), NullableString(r, 3), NullableString(r, 4));

    // Aggregates come back as long, decimal (MySQL SUM) or double depending on the dialect.
    private static int Int(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? 0 : Convert.ToInt32(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static long Long(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? 0 : Convert.ToInt64(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static double? Double(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Convert.ToDouble(r.GetValue(ordinal), CultureInfo.InvariantCulture);
}
