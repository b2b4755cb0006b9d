using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>The atomic window commit: everything of a window, or nothing.</summary>
internal abstract partial class SqlWarehouse
{
    private const int IdsPerStatement = 500;

    private const int CommitAttempts = 4;

    public async Task CommitWindowAsync(WindowCommit commit, CancellationToken cancellationToken = default)
    {
        var plan = CommitPlan.Create(commit);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitOnceAsync(plan, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbException e) when (attempt < CommitAttempts && IsTransient(e))
            {
                // A deadlock victim or serialization failure rolled back the whole window, so running it
                // again is safe. Task.Delay without the TimeProvider: a fake clock in tests must not stall retries.
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitOnceAsync(CommitPlan plan, CancellationToken cancellationToken)
    {
        var commit = plan.Commit;
        var now = Ts(Now());
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        // Disposing an uncommitted transaction rolls it back: an exception or cancellation anywhere below
        // leaves no resource, hourly or daily row, quarantine row, gap or watermark of this window.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionDisposal = transaction.ConfigureAwait(false);

        await StepAsync(CommitStep.Resources, cancellationToken).ConfigureAwait(false);
        var resourceRows = plan.Resources.Select(r => new object?[]
        {
            plan.Profile, r.Hash, r.Resource.Key, LabelJson.Write(r.Resource.Identity), r.Resource.Account, r.Resource.Region,
            r.Resource.InstanceType, r.Resource.Name, LabelJson.Write(r.Resource.Metadata),
            Ts(Timestamps.Utc(r.Resource.FirstSeen)), Ts(Timestamps.Utc(r.Resource.LastSeen)),
        }).ToList();
        if (resourceRows.Count > 0)
            await InsertRowsAsync(connection, transaction, "resources", ResourceColumns, resourceRows, ResourceUpsert(), cancellationToken).ConfigureAwait(false);
        var ids = await ResolveResourceIdsAsync(connection, transaction, plan, cancellationToken).ConfigureAwait(false);

        await StepAsync(CommitStep.Hourly, cancellationToken).ConfigureAwait(false);
        var hourlyRows = plan.Hourly.Select(h => new object?[]
        {
            ids[h.Hash], h.Row.Dimension, Ts(Timestamps.Utc(h.Row.HourStart)), h.Row.Avg, h.Row.Min, h.Row.Max, h.Row.P95, h.Row.Max5m,
            h.Row.Samples, h.Row.Expected, commit.RunId,
        }).ToList();
        if (hourlyRows.Count > 0)
            await UpsertHourlyAsync(connection, transaction, hourlyRows, cancellationToken).ConfigureAwait(false);

        await StepAsync(CommitStep.Daily, cancellationToken).ConfigureAwait(false);
        await RecomputeDailyAsync(connection, transaction, plan, ids, cancellationToken).ConfigureAwait(false);

        await StepAsync(CommitStep.Quarantine, cancellationToken).ConfigureAwait(false);
        await ReplaceQuarantineAsync(connection, transaction, plan, now, cancellationToken).ConfigureAwait(false);

        await StepAsync(CommitStep.Gaps, cancellationToken).ConfigureAwait(false);
        // One row per gap key: an upsert statement may not touch the same row twice.
        var gapRows = commit.OpenGaps.DistinctBy(g => (g.Dimension, Timestamps.Utc(g.WindowStart))).Select(g => new object?[]
        {
            plan.Profile, plan.Source, g.Dimension, Ts(Timestamps.Utc(g.WindowStart)), Ts(Timestamps.Utc(g.WindowEnd)), g.Reason, 1, now, now,
        }).ToList();
        if (gapRows.Count > 0)
            await InsertRowsAsync(connection, transaction, "gaps", GapColumns, gapRows, GapUpsert(), cancellationToken).ConfigureAwait(false);
        foreach (var gap in commit.ResolvedGaps)
        {
            await connection.ExecuteAsync(Definition(
                "UPDATE gaps SET resolved_at = @now WHERE profile = @profile AND source = @source AND dimension = @dimension AND window_start = @start AND resolved_at IS NULL",
                new { now, profile = plan.Profile, source = plan.Source, dimension = gap.Dimension, start = Ts(Timestamps.Utc(gap.WindowStart)) },
                transaction, cancellationToken)).ConfigureAwait(false);
        }

        await StepAsync(CommitStep.Watermark, cancellationToken).ConfigureAwait(false);
        if (commit.AdvanceWatermark)
        {
            object?[] watermark = [plan.Profile, plan.Source, Ts(plan.WindowEnd), now, commit.RunId];
            await InsertRowsAsync(connection, transaction, "watermarks", ["profile", "source", "watermark_end", "updated_at", "run_id"], [watermark],
                WatermarkUpsert(), cancellationToken).ConfigureAwait(false);
        }

        await StepAsync(CommitStep.Commit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask StepAsync(CommitStep step, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await Failpoint.HitAsync(Failpoint.CommitPoint(step), cancellationToken).ConfigureAwait(false);
        if (BeforeCommitStep is { } hook)
            await hook(step, cancellationToken).ConfigureAwait(false);
    }
}
