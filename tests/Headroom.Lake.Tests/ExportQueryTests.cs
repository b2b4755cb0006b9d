using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Warehouse;
using Headroom.Warehouse.Tests;
using Xunit.Abstractions;

namespace Headroom.Lake.Tests;

/// <summary>Export, then the report's aggregates over the lake equal the warehouse's, on every dialect; pruning by the plan.</summary>
public abstract class ExportQueryContract(IDatabases databases, ITestOutputHelper log)
{
    [Fact]
    public async Task The_lake_answers_the_same_aggregates_as_the_warehouse()
    {
        var folder = LakeSamples.NewFolder();
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
            await warehouse.MigrateAsync();
            var rows = await LakeSamples.FillAsync(warehouse, resources: 6, days: 3);
            await using var store = new FolderObjectStore(folder);
            var report = await LakeSamples.ExportAsync(warehouse, store);
            log.WriteLine($"{databases.Dialect}: {report}");
            Assert.Equal(rows + (await warehouse.ReadDailyAsync("node")).Count + 6, report.RowsWritten);

            await using var lake = await LakeQuery.OpenAsync(store);
            var expected = await LakeSamples.WarehouseAggregatesAsync(warehouse);
            var actual = (await lake.QueryAsync(LakeSamples.LakeAggregatesSql)).Rows;
            Assert.Equal(expected.Keys, actual.Select(r => (string)r[0]!));
            foreach (var r in actual)
            {
                var e = expected[(string)r[0]!];
                Assert.Equal(e.Hours, (long)r[1]!);
                // Sums of doubles in another order differ in the last bits: 1e-12 relative.
                Assert.Equal(e.SumAvg, (double)r[2]!, 1e-12 * Math.Abs(e.SumAvg));
                Assert.Equal(e.Max, (double)r[3]!);
                Assert.Equal(e.Min, (double)r[4]!);
            }

            // Daily rows and resources come across whole too.
            var daily = await warehouse.ReadDailyAsync("node");
            var lakeDaily = (await lake.QueryAsync("SELECT resource_key, dimension, day, avg_value, p95_value, max_value, hours FROM daily ORDER BY resource_key, dimension, day")).Rows;
            Assert.Equal(daily.Count, lakeDaily.Count);
            var byKey = daily.ToDictionary(d => (d.ResourceKey, d.Dimension, d.Day));
            foreach (var d in lakeDaily)
            {
                var w = byKey[((string)d[0]!, (string)d[1]!, (DateOnly)d[2]!)];
                Assert.Equal(w.Avg, (double)d[3]!);
                Assert.Equal(w.P95, (double)d[4]!);
                Assert.Equal(w.Hours, Convert.ToInt32(d[6], System.Globalization.CultureInfo.InvariantCulture));
            }
            var resources = (await lake.QueryAsync("SELECT count(*), count(account) FROM resources")).Rows[0];
            Assert.Equal(6L, (long)resources[0]!);
            Assert.Equal(4L, (long)resources[1]!);

            // A second export of an unchanged warehouse writes nothing.
            var again = await LakeSamples.ExportAsync(warehouse, store, new LakeExportOptions { From = DateOnly.FromDateTime(LakeSamples.Start.UtcDateTime) });
            Assert.Equal(0, again.PartitionsWritten);
            Assert.Equal(report.PartitionsWritten, again.PartitionsUnchanged);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}

public sealed class SqliteExportQueryTests(SqliteDatabases databases, ITestOutputHelper log) : ExportQueryContract(databases, log), IClassFixture<SqliteDatabases>
{
    [Fact]
    public async Task A_query_for_one_day_and_account_reads_one_partition()
    {
        var folder = LakeSamples.NewFolder();
        try
        {
            await using var exported = await LakeSamples.ExportedLakeAsync(await databases.NewDatabaseUrlAsync(), folder, resources: 6, days: 5);
            var (lake, hourly) = (exported.Lake, exported.Hourly);
            Assert.Equal(5 * 3, hourly.Count);

            var (result, scan) = await lake.ExplainAsync(
                "SELECT count(*), avg(avg_value) FROM hourly WHERE date = DATE '2026-10-03' AND account = '111111111111' AND dimension = 'cpu'");
            var expected = LakeLayout.Hourly(new DateOnly(2026, 10, 3), "111111111111", "us-east-1").Path;
            Assert.Equal(1, scan.FilesRead);
            Assert.Equal([expected], scan.Partitions);
            Assert.Equal(hourly.Single(m => m.Partition == expected).Files.Sum(f => f.Bytes), scan.BytesRead);
            Assert.Equal(2L * 24, (long)result.Rows[0][0]!);
            Assert.Equal(ScanReport.AthenaMinimumBytes / 1e12 * 5, scan.AthenaUsd);

            var (_, all) = await lake.ExplainAsync("SELECT count(*) FROM hourly");
            Assert.Equal(hourly.Count, all.FilesRead);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}

public sealed class PostgresExportQueryTests(PostgresDatabases databases, ITestOutputHelper log) : ExportQueryContract(databases, log), IClassFixture<PostgresDatabases>;

public sealed class MariaDbExportQueryTests(MariaDbDatabases databases, ITestOutputHelper log) : ExportQueryContract(databases, log), IClassFixture<MariaDbDatabases>;
