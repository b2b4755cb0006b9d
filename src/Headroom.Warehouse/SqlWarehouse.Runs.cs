using Dapper;

namespace Headroom.Warehouse;

/// <summary>etl_runs: one row per run, inserted as running and finished with its counts.</summary>
internal abstract partial class SqlWarehouse
{
    /// <summary>Turns an INSERT into a statement whose scalar result is the new row's id.</summary>
    protected virtual string ReturningId(string insert) => insert + " RETURNING id";

    public async Task<long> StartRunAsync(EtlRunStart run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var source = SourceNames.WithoutCredentials(run.Source);
        if (run.Profile.Length is 0 or > CommitPlan.MaxNameLength || source.Length is 0 or > SourceNames.MaxLength)
            throw new ArgumentException($"The profile must have 1 to {CommitPlan.MaxNameLength} characters and the source 1 to {SourceNames.MaxLength}.", nameof(run));
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(Definition(
            ReturningId("INSERT INTO etl_runs (profile, source, started_at, status, window_from, window_to, rows_loaded, rows_rejected) " +
                        "VALUES (@profile, @source, @startedAt, 'running', @from, @to, 0, 0)"),
            new { profile = run.Profile, source, startedAt = Ts(Now()), from = Ts(Timestamps.Utc(run.WindowFrom)), to = Ts(Timestamps.Utc(run.WindowTo)) },
            null, cancellationToken)).ConfigureAwait(false);
    }

    public async Task FinishRunAsync(long runId, EtlRunResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(Definition(
            "UPDATE etl_runs SET finished_at = @finishedAt, status = @status, rows_loaded = @loaded, rows_rejected = @rejected, error = @error WHERE id = @runId",
            new { finishedAt = Ts(Now()), status = StatusName(result.Status), loaded = result.RowsLoaded, rejected = result.RowsRejected, error = result.Error, runId },
            null, cancellationToken)).ConfigureAwait(false);
        if (updated == 0)
            throw new ArgumentException($"There is no run with id {runId}.", nameof(runId));
    }

    internal static string StatusName(EtlRunStatus status) => status switch
    {
        EtlRunStatus.Running => "running",
        EtlRunStatus.Succeeded => "succeeded",
        _ => "failed",
    };

    internal static EtlRunStatus ParseStatus(string status) => status switch
    {
        "running" => EtlRunStatus.Running,
        "succeeded" => EtlRunStatus.Succeeded,
        _ => EtlRunStatus.Failed,
    };
}
