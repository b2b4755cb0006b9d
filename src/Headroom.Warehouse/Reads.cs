namespace Headroom.Warehouse;

/// <summary>How far a profile has loaded from a source: data before <paramref name="End"/> is complete.</summary>
public sealed record Watermark(string Profile, string Source, DateTimeOffset End, DateTimeOffset UpdatedAt, long? RunId);

/// <summary>A row of <c>gaps</c>.</summary>
public sealed record Gap(
    string Profile,
    string Source,
    string Dimension,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string Reason,
    int Attempts,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastAttempt,
    DateTimeOffset? ResolvedAt);

/// <summary>A watermark and how far it trails the clock.</summary>
public sealed record WatermarkLag(Watermark Watermark, TimeSpan Lag);

/// <summary>What <c>headroom etl status</c> shows.</summary>
/// <param name="RecentRuns">The latest runs, newest first.</param>
/// <param name="Watermarks">Every watermark with its lag behind now.</param>
/// <param name="OpenGaps">Gaps not yet resolved.</param>
/// <param name="QuarantineByReason">Quarantined rows per reason.</param>
public sealed record WarehouseStatus(
    IReadOnlyList<EtlRun> RecentRuns,
    IReadOnlyList<WatermarkLag> Watermarks,
    long OpenGaps,
    IReadOnlyDictionary<string, long> QuarantineByReason);

/// <summary>A row of <c>utilization_daily</c>: one UTC day of one dimension of one resource.</summary>
/// <param name="Avg">Mean of the hourly means weighted by samples (unweighted when no hour has samples).</param>
/// <param name="P95">The maximum of the hourly p95 values: an upper bound of the daily p95, exact when one hour dominates.</param>
/// <param name="Hours">Hourly rows the day is computed from.</param>
public sealed record DailyUtilization(
    string ResourceKey,
    string Dimension,
    DateOnly Day,
    double Avg,
    double Min,
    double Max,
    double P95,
    double? Max5m,
    long Samples,
    long Expected,
    int Hours);
