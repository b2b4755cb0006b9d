using System.Diagnostics;
using System.Globalization;
using Headroom.Lake.Publishing;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Benchmarks;

/// <summary>
/// The lake over a large warehouse: <c>lake sqlite:FILE|postgres LAKE-DIR [RESOURCES] [DAYS] [RUNS]</c>. Fills the warehouse
/// (synthetic cpu, memory, network_in, network_out through the commit path), exports it to a folder lake (rows/s), compares
/// sizes, then times the report's two queries over the last 14 days, RUNS times each: in the warehouse (its report code:
/// low utilization over daily rows, peak usage over hourly CPU maxima) and in the lake with DuckDB (the same aggregates).
/// Prints one key=value line per measurement.
/// </summary>
internal static class LakeMacro
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || args[0] == "--help")
        {
            Console.Error.WriteLine("usage: lake sqlite:FILE|postgres LAKE-DIR [resources=2000] [days=90] [runs=3]");
            return 2;
        }
        var resources = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;
        var days = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 90;
        var runs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
        await using var postgres = args[0] == "postgres" ? await PostgresServer.StartAsync() : null;
        var url = postgres?.Url ?? args[0];
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(url);
        await warehouse.MigrateAsync();
        var start = new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        long rows;
        if (await warehouse.Reports().LatestDayAsync("node", "cpu") is null)
        {
            // The first week goes through the ETL's commit path (bulk upserts, daily rollups); later weeks are copied
            // forward from it by SQL inside the database, which is ~10 times faster than committing them and gives the
            // same table and index shapes (values repeat weekly, which neither the lake's per-day files nor the
            // report's queries can tell).
            var committedDays = Math.Min(days, 7);
            rows = await SyntheticUtilization.FillAsync(warehouse, resources, start, committedDays * 24);
            Print($"phase=fill-commit db={warehouse.Dialect} resources={resources} days={committedDays} hourly_rows={rows} seconds={stopwatch.Elapsed.TotalSeconds:F1}");
            stopwatch.Restart();
            rows += await CopyWeeksForwardAsync(url, postgres, start, committedDays, days);
            Print($"phase=fill-copy db={warehouse.Dialect} days={days} hourly_rows={rows} seconds={stopwatch.Elapsed.TotalSeconds:F1}");
        }
        else
        {
            rows = (long)resources * days * 24 * 4;
        }

        await BreakdownAsync(warehouse, postgres is null ? url["sqlite:".Length..] : null, start, Math.Min(days, 3));
        if (Directory.Exists(args[1]))
            Directory.Delete(args[1], recursive: true);
        await using var store = new FolderObjectStore(args[1]);
        stopwatch.Restart();
        var export = await new UtilizationExport(warehouse.History(), new PartitionPublisher(store)).RunAsync(new LakeExportOptions());
        var lakeBytes = Directory.EnumerateFiles(args[1], "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var warehouseBytes = await WarehouseBytesAsync(url, postgres);
        Print($"phase=export db={warehouse.Dialect} partitions={export.PartitionsWritten} rows={export.RowsWritten} seconds={stopwatch.Elapsed.TotalSeconds:F1} rows_per_second={export.RowsWritten / stopwatch.Elapsed.TotalSeconds:F0} lake_bytes={lakeBytes} warehouse_bytes={warehouseBytes}");

        var to = DateOnly.FromDateTime(start.AddDays(days).UtcDateTime);
        var window = new ReportWindow("node", to.AddDays(-14), to);
        await using var lake = await LakeQuery.OpenAsync(store);
        var low = $"SELECT resource_key, count(*), avg(avg_value), max(max_value) FROM daily WHERE profile = 'node' AND dimension = 'cpu' " +
                  $"AND day >= DATE '{window.From:yyyy-MM-dd}' AND day < DATE '{window.To:yyyy-MM-dd}' GROUP BY resource_key";
        var peak = $"SELECT resource_key, count(*), quantile_disc(coalesce(max_5m_value, max_value), 0.995), max(coalesce(max_5m_value, max_value)), avg(avg_value) " +
                   $"FROM hourly WHERE profile = 'node' AND dimension = 'cpu' AND date >= DATE '{window.From:yyyy-MM-dd}' AND date < DATE '{window.To:yyyy-MM-dd}' GROUP BY resource_key";
        for (var run = 1; run <= runs; run++)
        {
            stopwatch.Restart();
            var w1 = await warehouse.Reports().ReadLowUtilizationAsync(new LowUtilizationQuery(window));
            var lowWarehouse = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var w2 = await warehouse.Reports().ReadPeakUsageAsync(new PeakUsageQuery(window));
            var peakWarehouse = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var l1 = await lake.QueryAsync(low);
            var lowLake = stopwatch.Elapsed.TotalSeconds;
            stopwatch.Restart();
            var (l2, scan) = await lake.ExplainAsync(peak);
            var peakLake = stopwatch.Elapsed.TotalSeconds;
            Print($"phase=queries db={warehouse.Dialect} run={run} low_warehouse_s={lowWarehouse:F2} low_lake_s={lowLake:F2} peak_warehouse_s={peakWarehouse:F2} peak_lake_s={peakLake:F2} resources={w1.Count}/{l1.Rows.Count}/{w2.Count}/{l2.Rows.Count} lake_partitions_read={scan.FilesRead} lake_bytes_read={scan.BytesRead}");
        }
        return 0;
    }

    /// <summary>
    /// Where an hourly day's export goes, step by step with a Stopwatch (no profiler on this machine): the warehouse
    /// read, the content checksum, the sort and Parquet write, the footer count and the file's SHA-256.
    /// </summary>
    private static async Task BreakdownAsync(IWarehouse warehouse, string? sqlite, DateTimeOffset start, int days)
    {
        var history = warehouse.History();
        var file = Path.GetTempFileName();
        try
        {
            for (var d = 0; d < days; d++)
            {
                // Wall time and this process's CPU time per step: the machine is shared, so wall time alone mostly measures the others.
                var day = DateOnly.FromDateTime(start.AddDays(d).UtcDateTime);
                var steps = new List<string>();
                var process = Process.GetCurrentProcess();
                var stopwatch = Stopwatch.StartNew();
                var cpu = process.TotalProcessorTime;
                void Step(string name)
                {
                    process.Refresh();
                    var now = process.TotalProcessorTime;
                    steps.Add(string.Create(CultureInfo.InvariantCulture, $"{name}_s={stopwatch.Elapsed.TotalSeconds:F3}/{(now - cpu).TotalSeconds:F3}"));
                    cpu = now;
                    stopwatch.Restart();
                }
                if (sqlite is not null)
                {
                    var joined = await ReadJoinedAsync(sqlite, day);
                    Step($"read_joined_{joined}");
                }
                var rows = new List<HourlyHistoryRow>();
                await foreach (var row in history.ReadHourlyDayAsync(day))
                    rows.Add(row);
                Step("read");
                var checksum = new ContentChecksum();
                foreach (var row in rows)
                    UtilizationParquet.Add(checksum, row);
                Step("checksum");
                rows.Sort(UtilizationParquet.Compare);
                Step("sort");
                await UtilizationParquet.WriteHourlyAsync(file, rows, Parquet.CompressionMethod.Zstd, CancellationToken.None);
                Step("write");
                await UtilizationParquet.CountRowsAsync(file, CancellationToken.None);
                Step("count");
                await using (var stream = File.OpenRead(file))
                    await System.Security.Cryptography.SHA256.HashDataAsync(stream);
                Step("sha");
                Print($"phase=breakdown day={day:yyyy-MM-dd} rows={rows.Count} (wall/cpu) {string.Join(' ', steps)}");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The export's warehouse read as it was before issue 15's tuning, for comparison: one query per dimension joined
    /// to resources (six strings a row) and the timestamp through ParseExact. Returns the rows read.
    /// </summary>
    private static async Task<int> ReadJoinedAsync(string path, DateOnly day)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path);
        await connection.OpenAsync();
        var rows = new List<HourlyHistoryRow>();
        foreach (var dimension in new[] { "cpu", "memory", "network_in", "network_out" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT r.profile, r.account, r.region, r.resource_key, h.dimension, h.hour_start, h.avg_value, h.min_value, h.max_value, h.p95_value, " +
                "h.max_5m_value, h.samples, h.expected FROM utilization_hourly h JOIN resources r ON r.id = h.resource_id " +
                "WHERE h.dimension = @dim AND h.hour_start >= @start AND h.hour_start < @end";
            command.Parameters.AddWithValue("@dim", dimension);
            command.Parameters.AddWithValue("@start", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00");
            command.Parameters.AddWithValue("@end", day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(new HourlyHistoryRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    new HourlyUtilization(reader.GetString(3), reader.GetString(4),
                        DateTimeOffset.ParseExact(reader.GetString(5), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                        reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9), reader.IsDBNull(10) ? null : reader.GetDouble(10),
                        Convert.ToInt64(reader.GetValue(11), null), Convert.ToInt64(reader.GetValue(12), null))));
            }
        }
        return rows.Count;
    }

    /// <summary>Copies the first <paramref name="week"/> days of hourly and daily rows forward until <paramref name="days"/>; returns the hourly rows added.</summary>
    private static async Task<long> CopyWeeksForwardAsync(string url, PostgresServer? postgres, DateTimeOffset start, int week, int days)
    {
        await using System.Data.Common.DbConnection connection = postgres is null
            ? new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + url["sqlite:".Length..])
            : new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        if (postgres is null)
            await ExecuteAsync(connection, null, "PRAGMA cache_size = -262144; PRAGMA synchronous = OFF");
        var end = start.AddDays(days);
        var format = postgres is null ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss+00";
        long added = 0;
        for (var offset = week; offset < days; offset += week)
        {
            var copy = Math.Min(week, days - offset);
            var sqlite = postgres is null;
            var hourEnd = start.AddDays(copy).ToString(format, CultureInfo.InvariantCulture);
            var dayEnd = start.AddDays(copy).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var hourLater = sqlite ? $"strftime('%Y-%m-%d %H:%M:%S', hour_start, '+{offset} days')" : $"hour_start + interval '{offset} days'";
            var dayLater = sqlite ? $"date(day, '+{offset} days')" : $"day + {offset}";
            var hourly = $"INSERT INTO utilization_hourly (resource_id, dimension, hour_start, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, run_id) " +
                         $"SELECT resource_id, dimension, {hourLater}, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, run_id " +
                         $"FROM utilization_hourly WHERE hour_start < '{hourEnd}'";
            var daily = $"INSERT INTO utilization_daily (resource_id, dimension, day, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, hours, run_id) " +
                        $"SELECT resource_id, dimension, {dayLater}, avg_value, min_value, max_value, p95_value, max_5m_value, samples, expected, hours, run_id " +
                        $"FROM utilization_daily WHERE day < '{dayEnd}'";
            await using var transaction = await connection.BeginTransactionAsync();
            added += await ExecuteAsync(connection, transaction, hourly);
            await ExecuteAsync(connection, transaction, daily);
            await transaction.CommitAsync();
        }
        var lastSeen = end.AddHours(-1);
        await ExecuteAsync(connection, null, $"UPDATE resources SET last_seen = '{lastSeen.ToString(format, CultureInfo.InvariantCulture)}'");
        await ExecuteAsync(connection, null, postgres is null ? "ANALYZE" : "VACUUM ANALYZE");
        return added;
    }

    private static async Task<int> ExecuteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> WarehouseBytesAsync(string url, PostgresServer? postgres)
    {
        if (postgres is null)
        {
            var path = url["sqlite:".Length..];
            return new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        }
        await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
