namespace Headroom.Warehouse;

/// <summary>
/// Everything one window of one run writes, committed by <see cref="IWarehouse.CommitWindowAsync"/> in a
/// single transaction: resources, hourly rows, the daily rollups they touch, quarantine, gaps and the watermark.
/// </summary>
/// <param name="RunId">The run from <see cref="IWarehouse.StartRunAsync"/>.</param>
/// <param name="Profile">The profile name.</param>
/// <param name="Source">The source URL (credentials are removed before storing).</param>
/// <param name="WindowStart">Start of the window (UTC).</param>
/// <param name="WindowEnd">End of the window (exclusive); the watermark moves here unless it is already further.</param>
public sealed record WindowCommit(long RunId, string Profile, string Source, DateTimeOffset WindowStart, DateTimeOffset WindowEnd)
{
    /// <summary>Resources seen in the window; every hourly row's resource must be here or already stored.</summary>
    public IReadOnlyList<ResourceRecord> Resources { get; init; } = [];

    /// <summary>Hourly statistics, upserted on (resource, dimension, hour start).</summary>
    public IReadOnlyList<HourlyUtilization> Hourly { get; init; } = [];

    /// <summary>
    /// Rejected rows. They replace earlier quarantine rows of the same profile, source and dimensions in the window
    /// (widened to cover rows outside it), so re-running a window does not duplicate them.
    /// </summary>
    public IReadOnlyList<QuarantinedRow> Quarantine { get; init; } = [];

    /// <summary>Gaps to open, or to count another attempt on when already open.</summary>
    public IReadOnlyList<GapOpening> OpenGaps { get; init; } = [];

    /// <summary>Gaps filled by this window.</summary>
    public IReadOnlyList<GapResolution> ResolvedGaps { get; init; } = [];

    /// <summary>
    /// The dimensions the window covers, used to scope quarantine replacement. Default (null): the
    /// dimensions named by the hourly rows, quarantine rows and opened gaps.
    /// </summary>
    public IReadOnlyList<string>? Dimensions { get; init; }

    /// <summary>Whether to advance the watermark (it never moves backward either way). Default true.</summary>
    public bool AdvanceWatermark { get; init; } = true;
}
