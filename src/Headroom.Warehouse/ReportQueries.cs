namespace Headroom.Warehouse;

/// <summary>
/// The read queries behind <c>headroom report</c>: portable SQL (SQLite, PostgreSQL, MySQL/MariaDB) over
/// <c>resources</c>, <c>utilization_daily</c> and <c>utilization_hourly</c>. The SQL text is public in
/// <see cref="ReportSql"/> so it can be reproduced in a BI tool (docs/insights.md).
/// </summary>
public interface IReportQueries
{
    /// <summary>The latest UTC day with daily rows of <paramref name="dimension"/> for <paramref name="profile"/>, or null when none.</summary>
    Task<DateOnly?> LatestDayAsync(string profile, string dimension, CancellationToken cancellationToken = default);

    /// <summary>Per resource with CPU data in the window: days, low-utilization days, CPU average and maximum, network per day.</summary>
    Task<IReadOnlyList<LowUtilizationRow>> ReadLowUtilizationAsync(LowUtilizationQuery query, CancellationToken cancellationToken = default);

    /// <summary>Per resource seen in the window: the CPU percentile of hourly 5-minute maxima and the memory maximum.</summary>
    Task<IReadOnlyList<PeakUsageRow>> ReadPeakUsageAsync(PeakUsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>Daily average, p95 and maximum of one dimension for every resource of a profile in a window, by resource key and day.</summary>
    Task<IReadOnlyList<DailyPoint>> ReadDailySeriesAsync(ReportWindow window, string dimension, CancellationToken cancellationToken = default);
}

/// <summary>Access to the report queries of a warehouse.</summary>
public static class ReportQueriesExtensions
{
    /// <summary>The report queries of <paramref name="warehouse"/>.</summary>
    /// <exception cref="NotSupportedException">The warehouse is not one opened by <see cref="Warehouse.OpenAsync(string, CancellationToken)"/>.</exception>
    public static IReportQueries Reports(this IWarehouse warehouse) =>
        warehouse as IReportQueries ?? throw new NotSupportedException($"{warehouse?.GetType().Name} does not implement the report queries");
}

/// <summary>A report's days: [<paramref name="From"/>, <paramref name="To"/>) in UTC, for one profile.</summary>
public sealed record ReportWindow(string Profile, DateOnly From, DateOnly To)
{
    /// <summary>Days in the window.</summary>
    public int Days => To.DayNumber - From.DayNumber;

    /// <summary>Start of the window (UTC midnight).</summary>
    public DateTimeOffset Start => new(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>End of the window, exclusive (UTC midnight).</summary>
    public DateTimeOffset End => new(To.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>Parameters of the low-utilization query (AWS Trusted Advisor's "low utilization EC2 instances").</summary>
/// <param name="Window">The days to look at.</param>
public sealed record LowUtilizationQuery(ReportWindow Window)
{
    /// <summary>The CPU dimension (ratio 0..1). Default <c>cpu</c>.</summary>
    public string CpuDimension { get; init; } = "cpu";

    /// <summary>The inbound network dimension (bytes/s). Default <c>network_in</c>.</summary>
    public string NetworkInDimension { get; init; } = "network_in";

    /// <summary>The outbound network dimension (bytes/s). Default <c>network_out</c>.</summary>
    public string NetworkOutDimension { get; init; } = "network_out";

    /// <summary>A day is low when its average CPU is at most this. Default 0.10.</summary>
    public double MaxDailyCpu { get; init; } = 0.10;

    /// <summary>… and its network I/O (in + out, daily average rate × 86,400 s) is at most this many bytes. Default 5,000,000 (5 MB).</summary>
    public double MaxDailyNetworkBytes { get; init; } = 5_000_000;
}

/// <summary>Parameters of the peak-usage query used for rightsizing.</summary>
/// <param name="Window">The days to look at.</param>
public sealed record PeakUsageQuery(ReportWindow Window)
{
    /// <summary>The CPU dimension. Default <c>cpu</c>.</summary>
    public string CpuDimension { get; init; } = "cpu";

    /// <summary>The memory dimension. Default <c>memory</c>.</summary>
    public string MemoryDimension { get; init; } = "memory";

    /// <summary>
    /// The nearest-rank quantile of the hourly 5-minute maxima (<c>max_5m_value</c>, else <c>max_value</c>) used as CPU peak:
    /// 0.995 (AWS Compute Optimizer's p99.5), 0.99, 0.95 or 1 (maximum). Default 0.995.
    /// </summary>
    public double CpuQuantile { get; init; } = 0.995;
}

/// <summary>The resource a report row is about.</summary>
public sealed record ReportResource(string Key, string? Name, string? Account, string? Region, string? InstanceType);

/// <summary>One resource's CPU and network over a window, day by day, summarised.</summary>
/// <param name="Days">Days with CPU data.</param>
/// <param name="LowDays">Days with CPU and network at or under the thresholds.</param>
/// <param name="NetworkDays">Days with network data (a day without counts on CPU alone).</param>
/// <param name="CpuAverage">Mean of the daily CPU averages.</param>
/// <param name="CpuMax">Maximum CPU over the window.</param>
/// <param name="NetworkBytesPerDay">Mean daily network I/O in bytes (in + out), null without network data.</param>
/// <param name="Hours">Hourly rows of CPU behind the days.</param>
public sealed record LowUtilizationRow(ReportResource Resource, int Days, int LowDays, int NetworkDays, double CpuAverage, double CpuMax, double? NetworkBytesPerDay, long Hours);

/// <summary>One resource's peaks over a window.</summary>
/// <param name="CpuHours">Hourly CPU rows in the window.</param>
/// <param name="CpuPeak">The quantile of hourly 5-minute CPU maxima; null without CPU data.</param>
/// <param name="CpuMax">The maximum CPU.</param>
/// <param name="CpuAverage">The mean CPU.</param>
/// <param name="MemoryHours">Hourly memory rows in the window.</param>
/// <param name="MemoryMax">The maximum memory utilization; null where memory is not measured.</param>
public sealed record PeakUsageRow(ReportResource Resource, long CpuHours, double? CpuPeak, double? CpuMax, double? CpuAverage, long MemoryHours, double? MemoryMax);

/// <summary>One day of one dimension of one resource, for charts.</summary>
public sealed record DailyPoint(string ResourceKey, DateOnly Day, double Avg, double P95, double Max);
