using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>The atomic window commit: everything of a window, or nothing.</summary>
internal abstract partial class SqlWarehouse
{
    private const int IdsPerStatement = 500;

    public async Task CommitWindowAsync(WindowCommit commit, CancellationToken cancellationToken = default)
    {
        var plan = CommitPlan.Create(commit);
        var now = Ts(Now());
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Disposing an uncommitted transaction rolls it back: an exception or cancellation anywhere below
        // leaves no resource, hourly or daily row, quarantine row, gap or watermark of this window.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await StepAsync(CommitStep.Resources, cancellationToken);
        var resourceRows = plan.Resources.Select(r => new object?[]
        {
            plan.Profile, r.Hash, r.Resource.Key, LabelJson.Write(r.Resource.Identity), r.Resource.Account, r.Resource.Region,
            r.Resource.InstanceType, r.Resource.Name, LabelJson.Write(r.Resource.Metadata),
            Ts(Timestamps.Utc(r.Resource.FirstSeen)), Ts(Timestamps.Utc(r.Resource.LastSeen)),
        }).ToList();
        if (resourceRows.Count > 0)
            await InsertRowsAsync(connection, transaction, "resources", ResourceColumns, resourceRows, ResourceUpsert(), cancellationToken);
        var ids = await ResolveResourceIdsAsync(connection, transaction, plan, cancellationToken);

        await StepAsync(CommitStep.Hourly, cancellationToken);
        var hourlyRows = plan.Hourly.Select(h => new object?[]
        {
            ids[h.Hash], h.Row.Dimension, Ts(Timestamps.Utc(h.Row.HourStart)), h.Row.Avg, h.Row.Min, h.Row.Max, h.Row.P95, h.Row.Max5m,
            h.Row.Samples, h.Row.Expected, commit.RunId,
        }).ToList();
        if (hourlyRows.Count > 0)
            await UpsertHourlyAsync(connection, transaction, hourlyRows, cancellationToken);

        await StepAsync(CommitStep.Daily, cancellationToken);
        await RecomputeDailyAsync(connection, transaction, plan, ids, cancellationToken);

        await StepAsync(CommitStep.Quarantine, cancellationToken);
        await ReplaceQuarantineAsync(connection, transaction, plan, now, cancellationToken);

        await StepAsync(CommitStep.Gaps, cancellationToken);
        var gapRows = commit.OpenGaps.Select(g => new object?[]
        {
            plan.Profile, plan.Source, g.Dimension, Ts(Timestamps.Utc(g.WindowStart)), Ts(Timestamps.Utc(g.WindowEnd)), g.Reason, 1, now, now,
        }).ToList();
        if (gapRows.Count > 0)
            await InsertRowsAsync(connection, transaction, "gaps", GapColumns, gapRows, GapUpsert(), cancellationToken);
        foreach (var gap in commit.ResolvedGaps)
        {
            await connection.ExecuteAsync(Definition(
                "UPDATE gaps SET resolved_at = @now WHERE profile = @profile AND source = @source AND dimension = @dimension AND window_start = @start AND resolved_at IS NULL",
                new { now, profile = plan.Profile, source = plan.Source, dimension = gap.Dimension, start = Ts(Timestamps.Utc(gap.WindowStart)) },
                transaction, cancellationToken));
        }

        await StepAsync(CommitStep.Watermark, cancellationToken);
        if (commit.AdvanceWatermark)
        {
            object?[] watermark = [plan.Profile, plan.Source, Ts(plan.WindowEnd), now, commit.RunId];
            await InsertRowsAsync(connection, transaction, "watermarks", ["profile", "source", "watermark_end", "updated_at", "run_id"], [watermark],
                WatermarkUpsert(), cancellationToken);
        }

        await StepAsync(CommitStep.Commit, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Adds one parameter per value and returns <c>(@p0, @p1, …)</c>. Dapper's own list expansion is not used:
    /// with Npgsql it binds an array, which <c>IN</c> does not accept.
    /// </summary>
    private static string InList<T>(DynamicParameters parameters, string prefix, IEnumerable<T> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = prefix + names.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            names.Add("@" + name);
        }
        return "(" + string.Join(", ", names) + ")";
    }

    private async ValueTask StepAsync(CommitStep step, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (BeforeCommitStep is { } hook)
            await hook(step, cancellationToken);
    }

    private async Task<Dictionary<string, long>> ResolveResourceIdsAsync(DbConnection connection, DbTransaction transaction, CommitPlan plan, CancellationToken cancellationToken)
    {
        var needed = plan.Hourly.Select(h => h.Hash).Distinct().ToList();
        var ids = new Dictionary<string, long>(needed.Count, StringComparer.Ordinal);
        foreach (var chunk in needed.Chunk(IdsPerStatement))
        {
            var parameters = new DynamicParameters(new { profile = plan.Profile });
            var found = await connection.QueryAsync<(string Hash, long Id)>(Definition(
                $"SELECT resource_hash, id FROM resources WHERE profile = @profile AND resource_hash IN {InList(parameters, "h", chunk)}",
                parameters, transaction, cancellationToken));
            foreach (var (hash, id) in found)
                ids[hash] = id;
        }
        if (plan.Hourly.FirstOrDefault(h => !ids.ContainsKey(h.Hash)) is { Row: not null } missing)
            throw new ArgumentException($"Hourly rows reference resource '{CommitPlan.Shorten(missing.Row.ResourceKey)}', which is neither in the window's resources nor stored.", nameof(plan));
        return ids;
    }

    private async Task RecomputeDailyAsync(DbConnection connection, DbTransaction transaction, CommitPlan plan, Dictionary<string, long> ids, CancellationToken cancellationToken)
    {
        if (plan.Hourly.Count == 0)
            return;
        var hours = plan.Hourly.Select(h => h.Row.HourStart.ToUniversalTime()).ToList();
        var from = new DateTimeOffset(hours.Min().UtcDateTime.Date, TimeSpan.Zero);
        var to = new DateTimeOffset(hours.Max().UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        var day = DayOf("hour_start");
        // Recomputed from every hourly row now stored for the touched days, so a partial day completed by a
        // later window, or a day re-loaded, always equals its hours. p95 is the maximum of hourly p95 values.
        var sql = $"INSERT INTO utilization_daily ({string.Join(", ", DailyColumns)}) " +
                  $"SELECT resource_id, dimension, {day}, COALESCE(SUM(avg_value * samples) / NULLIF(SUM(samples), 0), AVG(avg_value)), " +
                  "MIN(min_value), MAX(max_value), MAX(p95_value), MAX(max_5m_value), SUM(samples), SUM(expected), COUNT(*), @runId " +
                  "FROM utilization_hourly WHERE resource_id IN {0} AND dimension IN {1} AND hour_start >= @from AND hour_start < @to " +
                  $"GROUP BY resource_id, dimension, {day} " +
                  ReplaceAllUpsert("resource_id, dimension, day", DailyColumns.Skip(3));
        var dimensions = plan.Hourly.Select(h => h.Row.Dimension).Distinct().ToArray();
        foreach (var chunk in plan.Hourly.Select(h => ids[h.Hash]).Distinct().Order().Chunk(IdsPerStatement))
        {
            var parameters = new DynamicParameters(new { runId = plan.Commit.RunId, from = Ts(from), to = Ts(to) });
            var statement = string.Format(CultureInfo.InvariantCulture, sql, InList(parameters, "i", chunk), InList(parameters, "d", dimensions));
            await connection.ExecuteAsync(Definition(statement, parameters, transaction, cancellationToken));
        }
    }

    private async Task ReplaceQuarantineAsync(DbConnection connection, DbTransaction transaction, CommitPlan plan, object now, CancellationToken cancellationToken)
    {
        if (plan.Dimensions.Count > 0)
        {
            var parameters = new DynamicParameters(new { profile = plan.Profile, source = plan.Source, from = Ts(plan.WindowStart), to = Ts(plan.WindowEnd) });
            await connection.ExecuteAsync(Definition(
                $"DELETE FROM quarantine WHERE profile = @profile AND source = @source AND dimension IN {InList(parameters, "d", plan.Dimensions)} AND period_start >= @from AND period_start < @to",
                parameters, transaction, cancellationToken));
        }
        var rows = plan.Commit.Quarantine.Select(q => new object?[]
        {
            plan.Commit.RunId, plan.Profile, plan.Source, q.Dimension, q.ResourceKey, Ts(Timestamps.Utc(q.PeriodStart)), q.Reason, q.Payload, now,
        }).ToList();
        if (rows.Count > 0)
            await InsertRowsAsync(connection, transaction, "quarantine", QuarantineColumns, rows, "", cancellationToken);
    }
}
