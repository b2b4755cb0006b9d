using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Headroom.Warehouse;

/// <summary>The column lists of the bulk-written tables, and the default multi-row bulk path.</summary>
internal abstract partial class SqlWarehouse
{
    internal static readonly string[] ResourceColumns =
        ["profile", "resource_hash", "resource_key", "identity_json", "account", "region", "instance_type", "name", "metadata_json", "first_seen", "last_seen"];

    internal static readonly string[] HourlyColumns =
        ["resource_id", "dimension", "hour_start", "avg_value", "min_value", "max_value", "p95_value", "max_5m_value", "samples", "expected", "run_id"];

    internal static readonly string[] DailyColumns =
        ["resource_id", "dimension", "day", "avg_value", "min_value", "max_value", "p95_value", "max_5m_value", "samples", "expected", "hours", "run_id"];

    internal static readonly string[] QuarantineColumns =
        ["run_id", "profile", "source", "dimension", "resource_key", "period_start", "reason", "payload", "created_at"];

    internal static readonly string[] GapColumns =
        ["profile", "source", "dimension", "window_start", "window_end", "reason", "attempts", "first_seen", "last_attempt"];

    /// <summary>Parameters one statement may carry (PostgreSQL allows 65,535; SQLite 32,766).</summary>
    protected virtual int MaxParameters => 30_000;

    /// <summary>
    /// Upper bound of a statement's text values in bytes (UTF-8, worst case). Default 4 MiB, a quarter of
    /// MariaDB's default <c>max_allowed_packet</c> (16 MiB), which limits a whole statement there.
    /// </summary>
    protected virtual long MaxStatementBytes => 4L << 20;

    /// <summary>
    /// Inserts rows with multi-row <c>INSERT … VALUES (…), (…)</c> statements of up to 1,000 rows, every value a
    /// parameter. Subclasses replace this with their own bulk path where it is faster.
    /// </summary>
    protected virtual async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, string table, string[] columns,
        IReadOnlyList<object?[]> rows, string suffix, CancellationToken cancellationToken)
    {
        var perStatement = Math.Clamp(MaxParameters / columns.Length, 1, 1000);
        var header = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ";
        var start = 0;
        while (start < rows.Count)
        {
            // A statement ends at 1,000 rows, the parameter limit, or MaxStatementBytes of text values.
            var end = start;
            long bytes = 0;
            while (end < rows.Count && end - start < perStatement && (end == start || bytes < MaxStatementBytes))
                bytes += rows[end++].Sum(static v => v is string s ? 4L * s.Length : 8L);

            var command = Command(connection, transaction, "");
            await using var commandDisposal = command.ConfigureAwait(false);
            var sql = new StringBuilder(header, header.Length + ((end - start) * columns.Length * 8) + suffix.Length);
            var p = 0;
            for (var i = start; i < end; i++)
            {
                sql.Append(i == start ? "(" : ", (");
                for (var j = 0; j < columns.Length; j++)
                {
                    var name = "@p" + p++.ToString(CultureInfo.InvariantCulture);
                    sql.Append(j == 0 ? "" : ", ").Append(name);
                    Add(command, name, rows[i][j]);
                }
                sql.Append(')');
            }
            command.CommandText = sql.Append(' ').Append(suffix).ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            start = end;
        }
    }

    /// <summary>Upserts hourly rows (<see cref="HourlyColumns"/> order).</summary>
    protected virtual Task UpsertHourlyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        InsertRowsAsync(connection, transaction, "utilization_hourly", HourlyColumns, rows,
            ReplaceAllUpsert("resource_id, dimension, hour_start", HourlyColumns.Skip(3)), cancellationToken);
}
