namespace Headroom.Warehouse;

/// <summary>The state of an ETL run, stored lower-case in <c>etl_runs.status</c>.</summary>
public enum EtlRunStatus
{
    /// <summary>Started and not yet finished (or the process died).</summary>
    Running,

    /// <summary>Finished; every window committed or recorded as a gap.</summary>
    Succeeded,

    /// <summary>Finished with an error.</summary>
    Failed,
}

/// <summary>What a run is about to do.</summary>
/// <param name="Profile">The profile name, e.g. <c>node</c>.</param>
/// <param name="Source">The source URL; credentials are removed before it is stored.</param>
/// <param name="WindowFrom">Start of the range the run covers (UTC).</param>
/// <param name="WindowTo">End of the range (exclusive, UTC).</param>
public sealed record EtlRunStart(string Profile, string Source, DateTimeOffset WindowFrom, DateTimeOffset WindowTo);

/// <summary>How a run ended.</summary>
/// <param name="Status"><see cref="EtlRunStatus.Succeeded"/> or <see cref="EtlRunStatus.Failed"/>.</param>
/// <param name="RowsLoaded">Hourly rows committed.</param>
/// <param name="RowsRejected">Rows sent to quarantine.</param>
/// <param name="Error">The error message of a failed run.</param>
public sealed record EtlRunResult(EtlRunStatus Status, long RowsLoaded, long RowsRejected, string? Error = null);

/// <summary>A row of <c>etl_runs</c>.</summary>
public sealed record EtlRun(
    long Id,
    string Profile,
    string Source,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    EtlRunStatus Status,
    DateTimeOffset WindowFrom,
    DateTimeOffset WindowTo,
    long RowsLoaded,
    long RowsRejected,
    string? Error);
