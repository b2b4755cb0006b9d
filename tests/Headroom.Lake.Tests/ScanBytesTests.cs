using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Warehouse.Tests;

namespace Headroom.Lake.Tests;

/// <summary>
/// <c>--explain</c>'s bytes are the bytes of every file a query opens: a query over every partition of every table reads
/// all of them, and its figure is the sum of the files' sizes on disk.
/// </summary>
public sealed class ScanBytesTests(SqliteDatabases databases) : IClassFixture<SqliteDatabases>
{
    [Fact]
    public async Task A_query_over_every_partition_counts_the_bytes_of_every_file()
    {
        var folder = LakeSamples.NewFolder();
        try
        {
            await using var exported = await LakeSamples.ExportedLakeAsync(await databases.NewDatabaseUrlAsync(), folder, resources: 6, days: 5);
            var (lake, hourly) = (exported.Lake, exported.Hourly);
            var onDisk = Directory.EnumerateFiles(Path.Combine(folder, "table=hourly"), "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Assert.Equal(onDisk, hourly.Sum(m => m.Files.Sum(f => f.Bytes)));

            var (result, scan) = await lake.ExplainAsync("SELECT * FROM hourly");

            Assert.Equal(6L * 5 * 24 * LakeSamples.Dimensions.Length, result.Rows.Count);
            Assert.Equal(hourly.Count, scan.FilesRead);
            Assert.Equal(hourly.Count, scan.Partitions.Count);
            Assert.Equal(onDisk, scan.BytesRead);

            // Pruned to more files than DuckDB names (five): the eight files of the two accounts from the second day on.
            var (_, pruned) = await lake.ExplainAsync("SELECT count(*) FROM hourly WHERE date >= DATE '2026-10-02' AND account <> '222222222222'");
            var kept = hourly.Where(m => string.CompareOrdinal(m.Partition, "table=hourly/date=2026-10-02") > 0 && !m.Partition.Contains("account=222222222222", StringComparison.Ordinal)).ToList();
            Assert.Equal(8, kept.Count);
            Assert.Equal(8, pruned.FilesRead);
            Assert.Equal(kept.Select(m => m.Partition), pruned.Partitions);
            Assert.Equal(kept.Sum(m => m.Files.Sum(f => f.Bytes)), pruned.BytesRead);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }
}
