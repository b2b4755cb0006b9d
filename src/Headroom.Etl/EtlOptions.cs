namespace Headroom.Etl;

/// <summary>What one ETL run does. Defaults are what a first-time user needs.</summary>
public sealed record EtlOptions
{
    /// <summary>The profile to extract.</summary>
    public required Profile Profile { get; init; }

    /// <summary>The source as shown and stored (credentials removed); part of the watermark's key.</summary>
    public required string Source { get; init; }

    /// <summary>Start of the range; for an incremental run, overrides the watermark.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the range (default: now minus <see cref="SafetyDelay"/>).</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>How far back a first run (no watermark) starts (default 7 days).</summary>
    public TimeSpan FirstRunLookback { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Hours younger than this are not loaded yet: their last samples may still be arriving (default 5 minutes).</summary>
    public TimeSpan SafetyDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Each incremental run re-reads this much before the watermark to absorb late samples (default 1 hour).</summary>
    public TimeSpan Overlap { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Hours committed together, with the watermark, in one transaction (default 24).</summary>
    public int WindowHours { get; init; } = 24;

    /// <summary>Open gaps older than this are not retried: the source no longer holds their data (default 15 days).</summary>
    public TimeSpan GapRetention { get; init; } = TimeSpan.FromDays(15);

    /// <summary>A window whose share of rejected rows is above this fails the run, uncommitted (default 0.05).</summary>
    public double MaxRejectedRatio { get; init; } = 0.05;

    /// <summary>
    /// Read a dimension's recording rule where it covers a window, falling back to the raw expression per
    /// window where it does not (default true).
    /// </summary>
    public bool UseRecordingRules { get; init; } = true;

    /// <summary>The recording rules' evaluation interval: how many points an hour of a recorded series holds (default 1m).</summary>
    public TimeSpan RuleInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Validation thresholds.</summary>
    public ValidationOptions Validation { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (WindowHours is < 1 or > 24 * 31)
            throw new ArgumentException($"window hours must be between 1 and 744, got {WindowHours}", nameof(WindowHours));
        if (MaxRejectedRatio is < 0 or > 1)
            throw new ArgumentException($"the maximum rejected ratio must be between 0 and 1, got {MaxRejectedRatio}", nameof(MaxRejectedRatio));
        if (From is { } f && To is { } t && t <= f)
            throw new ArgumentException($"--to ({t:O}) must be after --from ({f:O})", nameof(To));
    }
}

/// <summary>Incremental runs continue from the watermark; backfills reprocess a given range.</summary>
public enum EtlMode
{
    Incremental,
    Backfill,
}

/// <summary>Progress of a run: hours done of hours planned.</summary>
public readonly record struct EtlProgress(int HoursDone, int HoursTotal, DateTimeOffset WindowEnd);

/// <summary>What a run did.</summary>
public sealed record EtlReport(
    long RunId,
    DateTimeOffset From,
    DateTimeOffset To,
    int Windows,
    long RowsLoaded,
    long RowsRejected,
    IReadOnlyDictionary<string, long> RejectedByReason,
    int GapsOpened,
    int GapsResolved,
    long Requests)
{
    /// <summary>(window, dimension) pairs read from recording rules.</summary>
    public int RecordedReads { get; init; }

    /// <summary>(window, dimension) pairs read from the raw expression because the rule did not cover the window.</summary>
    public int RawFallbacks { get; init; }

    /// <summary>Windows the source could not be read for, recorded as gaps to retry: one line each, saying which and why.</summary>
    public IReadOnlyList<string> Unavailable { get; init; } = [];

    /// <summary>
    /// The hour the source's history starts in, when that is inside the run's range or the hour under way after it (a
    /// young Prometheus); null when the source held data before the range. Hours before it are not gaps.
    /// </summary>
    public DateTimeOffset? HistoryStart { get; init; }

    /// <summary>The source holds no sample of the profile's first series at all: nothing was loaded, no gap opened.</summary>
    public bool SourceHoldsNoData { get; init; }

    /// <summary>Hours of the range before <see cref="HistoryStart"/>: neither loaded nor gaps.</summary>
    public int HoursBeforeHistory { get; init; }
}

/// <summary>The run stopped because data quality was below the configured threshold.</summary>
public sealed class DataQualityException : Exception
{
    public DataQualityException()
    {
    }

    public DataQualityException(string message)
        : base(message)
    {
    }

    public DataQualityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
