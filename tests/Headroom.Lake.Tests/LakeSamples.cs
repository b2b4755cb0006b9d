using System.Globalization;
using Headroom.Lake.Publishing;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Lake.Tests;

/// <summary>A warehouse of a few resources over two accounts (and one without an account or region), and lake helpers.</summary>
internal static class LakeSamples
{
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly string[] Dimensions = ["cpu", "memory", "network_in", "network_out"];

    public static (string? Account, string? Region) PlaceOf(int index) => (index % 3) switch
    {
        0 => ("111111111111", "us-east-1"),
        1 => ("222222222222", "eu-west-1"),
        _ => (null, null),
    };

    /// <summary>Commits <paramref name="days"/> days of <paramref name="resources"/> resources, a day per window; returns hourly rows.</summary>
    public static async Task<long> FillAsync(IWarehouse warehouse, int resources, int days, DateTimeOffset? start = null)
    {
        var from = start ?? Start;
        var runId = await warehouse.StartRunAsync(new EtlRunStart("node", "synthetic", from, from.AddDays(days)));
        long written = 0;
        for (var day = 0; day < days; day++)
        {
            var windowStart = from.AddDays(day);
            var records = new List<ResourceRecord>();
            var rows = new List<HourlyUtilization>();
            for (var i = 0; i < resources; i++)
            {
                var key = SyntheticUtilization.KeyOf(i);
                var (account, region) = PlaceOf(i);
                records.Add(new ResourceRecord(key, new Dictionary<string, string> { ["instance"] = key[10..^1] }, windowStart, windowStart.AddHours(23))
                {
                    Account = account,
                    Region = region,
                    InstanceType = SyntheticUtilization.TypeOf(i),
                    Name = SyntheticUtilization.KindOf(i) + "-" + i.ToString(CultureInfo.InvariantCulture),
                });
                for (var hour = windowStart; hour < windowStart.AddDays(1); hour = hour.AddHours(1))
                {
                    foreach (var dimension in Dimensions)
                        rows.Add(SyntheticUtilization.Row(i, key, dimension, hour));
                }
            }
            await warehouse.CommitWindowAsync(new WindowCommit(runId, "node", "synthetic", windowStart, windowStart.AddDays(1)) { Resources = records, Hourly = rows });
            written += rows.Count;
        }
        await warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Succeeded, written, 0));
        return written;
    }

    public static Task<LakeExportReport> ExportAsync(IWarehouse warehouse, IObjectStore store, LakeExportOptions? options = null) =>
        new UtilizationExport(warehouse.History(), new PartitionPublisher(store)).RunAsync(options ?? new LakeExportOptions());

    /// <summary>Per resource and dimension: hours, sum of means, maximum and minimum, as the warehouse holds them.</summary>
    public static async Task<SortedDictionary<string, (long Hours, double SumAvg, double Max, double Min)>> WarehouseAggregatesAsync(IWarehouse warehouse)
    {
        var result = new SortedDictionary<string, (long, double, double, double)>(StringComparer.Ordinal);
        foreach (var g in (await warehouse.ReadHourlyAsync("node")).GroupBy(r => r.ResourceKey + "|" + r.Dimension))
            result[g.Key] = (g.LongCount(), g.Sum(r => r.Avg), g.Max(r => r.Max), g.Min(r => r.Min));
        return result;
    }

    public const string LakeAggregatesSql =
        "SELECT resource_key || '|' || dimension AS k, count(*) AS hours, sum(avg_value) AS sum_avg, max(max_value) AS max_v, min(min_value) AS min_v " +
        "FROM hourly WHERE profile = 'node' GROUP BY 1 ORDER BY 1";

    /// <summary>
    /// A fresh warehouse of <paramref name="resources"/> resources over <paramref name="days"/> days, exported into
    /// <paramref name="folder"/> and opened as a lake: what a query test over the lake starts from.
    /// </summary>
    public static async Task<ExportedLake> ExportedLakeAsync(string databaseUrl, string folder, int resources, int days)
    {
        var warehouse = await Warehouse.Warehouse.OpenAsync(databaseUrl);
        await warehouse.MigrateAsync();
        await FillAsync(warehouse, resources, days);
        var store = new FolderObjectStore(folder);
        await ExportAsync(warehouse, store);
        return new ExportedLake(warehouse, store, await LakeQuery.OpenAsync(store));
    }

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "headroom-lake-test-" + Guid.NewGuid().ToString("N"));
}

/// <summary>A lake exported from a warehouse (<see cref="LakeSamples.ExportedLakeAsync"/>), with its hourly partitions.</summary>
internal sealed class ExportedLake(IWarehouse warehouse, FolderObjectStore store, LakeQuery lake) : IAsyncDisposable
{
    public LakeQuery Lake => lake;

    /// <summary>The manifests of the hourly table's partitions.</summary>
    public List<PartitionManifest> Hourly { get; } = [.. lake.Manifests.Where(m => m.Partition.StartsWith("table=hourly/", StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        await lake.DisposeAsync();
        await store.DisposeAsync();
        await warehouse.DisposeAsync();
    }
}
