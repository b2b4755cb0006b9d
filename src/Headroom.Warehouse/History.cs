namespace Headroom.Warehouse;

/// <summary>
/// The warehouse's history as an archive sees it: every hourly and daily row of a day or month with its
/// resource's profile, account and region, and the deletion of hourly rows once they are archived
/// (<c>headroom lake export</c>, <c>headroom etl prune</c>).
/// </summary>
public interface IWarehouseHistory
{
    /// <summary>The dimensions with daily rows (every hourly row has its day's rollup, so these are the hourly dimensions too).</summary>
    Task<IReadOnlyList<string>> ListDimensionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The first and last hour with hourly rows, or null when there are none.</summary>
    Task<HourRange?> GetHourlyRangeAsync(CancellationToken cancellationToken = default);

    /// <summary>The first and last day with daily rows, or null when there are none.</summary>
    Task<(DateOnly First, DateOnly Last)?> GetDailyRangeAsync(CancellationToken cancellationToken = default);

    /// <summary>Every hourly row of one UTC day, in no particular order.</summary>
    IAsyncEnumerable<HourlyHistoryRow> ReadHourlyDayAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Every daily row of the days [<paramref name="from"/>, <paramref name="to"/>), in no particular order.</summary>
    IAsyncEnumerable<DailyHistoryRow> ReadDailyRangeAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);

    /// <summary>The profiles that have resources, in order.</summary>
    Task<IReadOnlyList<string>> ListProfilesAsync(CancellationToken cancellationToken = default);

    /// <summary>Every resource of every profile.</summary>
    Task<IReadOnlyList<(string Profile, ResourceRecord Resource)>> ReadAllResourcesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the hourly rows of one UTC day in one transaction, but only if there are exactly
    /// <paramref name="expectedRows"/> of them (the number the caller proved archived); otherwise nothing is deleted.
    /// Daily rows stay.
    /// </summary>
    /// <returns>The rows deleted.</returns>
    /// <exception cref="WarehouseException">The day holds another number of rows than expected (it changed since it was checked).</exception>
    Task<long> DeleteHourlyDayAsync(DateOnly day, long expectedRows, CancellationToken cancellationToken = default);
}

/// <summary>The first and last hour start of a table's rows.</summary>
public sealed record HourRange(DateTimeOffset First, DateTimeOffset Last);

/// <summary>A row of <c>utilization_hourly</c> with its resource's profile, account and region.</summary>
public sealed record HourlyHistoryRow(string Profile, string? Account, string? Region, HourlyUtilization Row);

/// <summary>A row of <c>utilization_daily</c> with its resource's profile, account and region.</summary>
public sealed record DailyHistoryRow(string Profile, string? Account, string? Region, DailyUtilization Row);

/// <summary>
/// Hourly rows kept elsewhere (the lake) for hours the warehouse no longer holds; the report reads the hours before
/// the warehouse's first hourly row from it.
/// </summary>
public interface IHourlyHistory
{
    /// <summary>The hours of <paramref name="dimension"/> of <paramref name="profile"/> in [<paramref name="start"/>, <paramref name="end"/>), ordered by resource key and then hour.</summary>
    IAsyncEnumerable<HourlyUtilization> ReadHourlyAsync(string profile, string dimension, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default);
}

/// <summary>Access to the history of a warehouse.</summary>
public static class WarehouseHistoryExtensions
{
    /// <summary>The history of <paramref name="warehouse"/> for archiving and pruning.</summary>
    /// <exception cref="NotSupportedException">The warehouse is not one opened by <see cref="Warehouse.OpenAsync(string, CancellationToken)"/>.</exception>
    public static IWarehouseHistory History(this IWarehouse warehouse) =>
        warehouse as IWarehouseHistory ?? throw new NotSupportedException($"{warehouse?.GetType().Name} does not expose its history");

    /// <summary>
    /// The report queries of <paramref name="warehouse"/>, reading hours older than the warehouse's first hourly row from
    /// <paramref name="olderHours"/> (a report over a window the warehouse has pruned).
    /// </summary>
    public static IReportQueries Reports(this IWarehouse warehouse, IHourlyHistory olderHours) =>
        warehouse is SqlWarehouse sql ? new ReportQueriesWithHistory(sql, olderHours)
            : throw new NotSupportedException($"{warehouse?.GetType().Name} does not implement the report queries");
}
