using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Headroom.Warehouse;

/// <summary>Upsert clauses built from each dialect's pieces, and the default multi-row bulk path.</summary>
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

    /// <summary>The incoming value of a column in an upsert's update part.</summary>
    protected abstract string Incoming(string column);

    /// <summary>The stored value of a column in an upsert's update part.</summary>
    protected virtual string Stored(string table, string column) => table + "." + column;

    /// <summary>The two-argument maximum function.</summary>
    protected virtual string Greatest => "GREATEST";

    /// <summary>The two-argument minimum function.</summary>
    protected virtual string Least => "LEAST";

    /// <summary>The start of an upsert's update part for a conflict on <paramref name="keys"/>.</summary>
    protected virtual string OnConflict(string keys) => $"ON CONFLICT ({keys}) DO UPDATE SET";

    /// <summary>Parameters one statement may carry (PostgreSQL allows 65,535; SQLite 32,766).</summary>
    protected virtual int MaxParameters => 30_000;

    /// <summary>
    /// Upper bound of a statement's text values in bytes (UTF-8, worst case). Default 4 MiB, a quarter of
    /// MariaDB's default <c>max_allowed_packet</c> (16 MiB), which limits a whole statement there.
    /// </summary>
    protected virtual long MaxStatementBytes => 4L << 20;

    // MySQL applies ON DUPLICATE KEY UPDATE assignments left to right, each seeing the ones before, so
    // every clause below assigns the columns its conditions read (last_seen, watermark_end) last.
    internal string ResourceUpsert()
    {
        var newer = $"{Incoming("last_seen")} >= {Stored("resources", "last_seen")}";
        var metadata = new[] { "identity_json", "account", "region", "instance_type", "name", "metadata_json" }
            .Select(c => $"{c} = CASE WHEN {newer} THEN {Incoming(c)} ELSE {Stored("resources", c)} END");
        return $"{OnConflict("profile, resource_hash")} {string.Join(", ", metadata)}, " +
               $"first_seen = {Least}({Stored("resources", "first_seen")}, {Incoming("first_seen")}), " +
               $"last_seen = {Greatest}({Stored("resources", "last_seen")}, {Incoming("last_seen")})";
    }

    internal string ReplaceAllUpsert(string keys, IEnumerable<string> columns) =>
        $"{OnConflict(keys)} {string.Join(", ", columns.Select(c => $"{c} = {Incoming(c)}"))}";

    internal string GapUpsert() =>
        $"{OnConflict("profile, source, dimension, window_start")} window_end = {Incoming("window_end")}, reason = {Incoming("reason")}, " +
        $"attempts = {Stored("gaps", "attempts")} + 1, last_attempt = {Incoming("last_attempt")}, resolved_at = NULL";

    internal string WatermarkUpsert()
    {
        var moved = $"{Incoming("watermark_end")} > {Stored("watermarks", "watermark_end")}";
        return $"{OnConflict("profile, source")} run_id = CASE WHEN {moved} THEN {Incoming("run_id")} ELSE {Stored("watermarks", "run_id")} END, " +
               $"updated_at = CASE WHEN {moved} THEN {Incoming("updated_at")} ELSE {Stored("watermarks", "updated_at")} END, " +
               $"watermark_end = {Greatest}({Stored("watermarks", "watermark_end")}, {Incoming("watermark_end")})";
    }

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

            await using var command = Command(connection, transaction, "");
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
            await command.ExecuteNonQueryAsync(cancellationToken);
            start = end;
        }
    }

    /// <summary>Upserts hourly rows (<see cref="HourlyColumns"/> order).</summary>
    protected virtual Task UpsertHourlyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        InsertRowsAsync(connection, transaction, "utilization_hourly", HourlyColumns, rows,
            ReplaceAllUpsert("resource_id, dimension, hour_start", HourlyColumns.Skip(3)), cancellationToken);
}
