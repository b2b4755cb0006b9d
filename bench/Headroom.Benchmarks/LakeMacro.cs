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
            rows = await SyntheticUtilization.FillAsync(warehouse, resources, start, days * 24);
            Print($"phase=fill db={warehouse.Dialect} resources={resources} days={days} hourly_rows={rows} seconds={stopwatch.Elapsed.TotalSeconds:F1}");
        }
        else
        {
            rows = (long)resources * days * 24 * 4;
        }

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
