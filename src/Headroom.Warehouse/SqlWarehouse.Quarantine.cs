using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>Quarantine rows, replaced per (profile, source, dimension, window) so re-running a window does not duplicate them.</summary>
internal abstract partial class SqlWarehouse
{
    private async Task ReplaceQuarantineAsync(DbConnection connection, DbTransaction transaction, CommitPlan plan, object now, CancellationToken cancellationToken)
    {
        if (plan.Dimensions.Count > 0)
        {
            var parameters = new DynamicParameters(new { profile = plan.Profile, source = plan.Source, from = Ts(plan.QuarantineFrom), to = Ts(plan.QuarantineTo) });
            await connection.ExecuteAsync(Definition(
                $"DELETE FROM quarantine WHERE profile = @profile AND source = @source AND dimension IN {InList(parameters, "d", plan.Dimensions)} AND period_start >= @from AND period_start < @to",
                parameters, transaction, cancellationToken)).ConfigureAwait(false);
        }
        var rows = plan.Commit.Quarantine.Select(q => new object?[]
        {
            plan.Commit.RunId, plan.Profile, plan.Source, q.Dimension, q.ResourceKey, Ts(Timestamps.Utc(q.PeriodStart)), q.Reason, q.Payload, now,
        }).ToList();
        if (rows.Count > 0)
            await InsertRowsAsync(connection, transaction, "quarantine", QuarantineColumns, rows, "", cancellationToken).ConfigureAwait(false);
    }
}
