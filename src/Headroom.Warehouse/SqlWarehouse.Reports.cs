using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>The report queries (<see cref="ReportSql"/>), read with the dialect's day and timestamp parameters.</summary>
internal abstract partial class SqlWarehouse : IReportQueries
{
    public async Task<DateOnly?> LatestDayAsync(string profile, string dimension, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var reader = await connection.ExecuteReaderAsync(Definition(ReportSql.LatestDay, new { profile, dim = dimension }, null, cancellationToken));
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0))
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

    public Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageAsync(PeakUsageQuery query, CancellationToken cancellationToken = default)
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
