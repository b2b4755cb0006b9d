namespace Headroom.Warehouse;

/// <summary>
/// The SQL warehouse of one database. Open with <see cref="Warehouse.OpenAsync(string, CancellationToken)"/>,
/// call <see cref="MigrateAsync"/> once, then record runs and commit windows. Safe to use from several tasks:
/// every call takes its own pooled connection.
/// </summary>
public interface IWarehouse : IAsyncDisposable
{
    /// <summary>The database family.</summary>
    WarehouseDialect Dialect { get; }

    /// <summary>The URL with its password redacted.</summary>
    string DisplayUrl { get; }

    /// <summary>Applies the migrations not yet recorded in <c>schema_migrations</c>; a no-op when up to date.</summary>
    /// <returns>The versions applied by this call.</returns>
    Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Inserts a run with status <c>running</c> and returns its id.</summary>
    Task<long> StartRunAsync(EtlRunStart run, CancellationToken cancellationToken = default);

    /// <summary>Records how a run ended.</summary>
    Task FinishRunAsync(long runId, EtlRunResult result, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits a window in one transaction: resources, hourly rows, the daily rollups of the touched days,
    /// quarantine, gaps and the watermark (forward only). On any failure or cancellation nothing is written.
    /// </summary>
    /// <exception cref="ArgumentException">The commit is malformed (duplicate keys, non-finite values, hours not on the hour, unknown resources).</exception>
    Task CommitWindowAsync(WindowCommit commit, CancellationToken cancellationToken = default);

    /// <summary>The watermark of a profile and source, or null before the first commit.</summary>
    Task<Watermark?> GetWatermarkAsync(string profile, string source, CancellationToken cancellationToken = default);

    /// <summary>Unresolved gaps of a profile and source, oldest first.</summary>
    Task<IReadOnlyList<Gap>> ListOpenGapsAsync(string profile, string source, CancellationToken cancellationToken = default);

    /// <summary>Recent runs, watermarks with lag, open gaps and quarantine counts.</summary>
    Task<WarehouseStatus> GetStatusAsync(int recentRuns = 10, CancellationToken cancellationToken = default);

    /// <summary>Stored resources of a profile, ordered by key.</summary>
    Task<IReadOnlyList<ResourceRecord>> ReadResourcesAsync(string profile, CancellationToken cancellationToken = default);

    /// <summary>Stored hourly rows of a profile (optionally one dimension), ordered by resource key, dimension, hour.</summary>
    Task<IReadOnlyList<HourlyUtilization>> ReadHourlyAsync(string profile, string? dimension = null, CancellationToken cancellationToken = default);

    /// <summary>Stored daily rows of a profile (optionally one dimension), ordered by resource key, dimension, day.</summary>
    Task<IReadOnlyList<DailyUtilization>> ReadDailyAsync(string profile, string? dimension = null, CancellationToken cancellationToken = default);

    /// <summary>Stored quarantine rows of a profile, ordered by period, dimension, resource key.</summary>
    Task<IReadOnlyList<QuarantinedRow>> ReadQuarantineAsync(string profile, CancellationToken cancellationToken = default);
}
