using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>utilization_daily, recomputed from the hourly rows of the days a window touches.</summary>
internal abstract partial class SqlWarehouse
{
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
            await connection.ExecuteAsync(Definition(statement, parameters, transaction, cancellationToken)).ConfigureAwait(false);
        }
    }
}
