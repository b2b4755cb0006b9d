namespace Headroom.Warehouse;

/// <summary>The report queries with hourly rows before the warehouse's first hour read from an archive; daily rows are never pruned.</summary>
internal sealed class ReportQueriesWithHistory(SqlWarehouse warehouse, IHourlyHistory olderHours) : IReportQueries
{
    public Task<DateOnly?> LatestDayAsync(string profile, string dimension, CancellationToken cancellationToken = default) =>
        warehouse.LatestDayAsync(profile, dimension, cancellationToken);

    public Task<IReadOnlyList<LowUtilizationRow>> ReadLowUtilizationAsync(LowUtilizationQuery query, CancellationToken cancellationToken = default) =>
        warehouse.ReadLowUtilizationAsync(query, cancellationToken);

    public Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageAsync(PeakUsageQuery query, CancellationToken cancellationToken = default) =>
        warehouse.ReadPeakUsageAsync(query, olderHours, cancellationToken);

    public Task<IReadOnlyList<DailyPoint>> ReadDailySeriesAsync(ReportWindow window, string dimension, CancellationToken cancellationToken = default) =>
        warehouse.ReadDailySeriesAsync(window, dimension, cancellationToken);
}
