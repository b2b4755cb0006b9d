using Headroom.Insights;
using Headroom.Lake.Publishing;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Warehouse;
using Headroom.Warehouse.Tests;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Lake.Tests;

/// <summary>The prune deletes only what the lake proves it holds; a report over lake and warehouse is the same after it.</summary>
public sealed class PruneTests(SqliteDatabases databases) : IClassFixture<SqliteDatabases>
{
    private static readonly DateOnly s_cut = new(2026, 10, 6);
    private static readonly FakeTimeProvider s_clock = new(new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Prune_refuses_without_a_matching_manifest_and_deletes_nothing()
    {
        var folder = LakeSamples.NewFolder();
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
            await warehouse.MigrateAsync();
            var rows = await LakeSamples.FillAsync(warehouse, resources: 3, days: 8);
            await using var store = new FolderObjectStore(folder);
            var prune = new HourlyPrune(warehouse.History(), new PartitionPublisher(store));

            var missing = await Assert.ThrowsAsync<PruneRefusedException>(() => prune.RunAsync(s_cut));
            Assert.Contains("not in the lake", missing.Message, StringComparison.Ordinal);
            Assert.Contains("headroom lake export --from 2026-10-01", missing.Message, StringComparison.Ordinal);
            Assert.Equal(rows, (await warehouse.ReadHourlyAsync("node")).Count);

            // Exported, then one hour of one resource changes in the warehouse (a late gap fill): the proof fails.
            await LakeSamples.ExportAsync(warehouse, store);
            var runId = await warehouse.StartRunAsync(new EtlRunStart("node", "synthetic", LakeSamples.Start, LakeSamples.Start.AddHours(1)));
            var changed = (await warehouse.ReadHourlyAsync("node", "cpu"))[0] with { Avg = 0.5 };
            var resource = (await warehouse.ReadResourcesAsync("node")).Single(r => r.Key == changed.ResourceKey);
            await warehouse.CommitWindowAsync(new WindowCommit(runId, "node", "synthetic2", changed.HourStart, changed.HourStart.AddHours(1))
            {
                Resources = [resource],
                Hourly = [changed],
            });
            var differs = await Assert.ThrowsAsync<PruneRefusedException>(() => prune.RunAsync(s_cut));
            Assert.Contains("changed after it was exported", differs.Message, StringComparison.Ordinal);
            Assert.Equal(rows, (await warehouse.ReadHourlyAsync("node")).Count);

            // Exported again, the proof holds.
            await LakeSamples.ExportAsync(warehouse, store, new LakeExportOptions { From = DateOnly.FromDateTime(LakeSamples.Start.UtcDateTime) });
            var report = await prune.RunAsync(s_cut);
            Assert.Equal(5, report.Days.Count);
            Assert.Equal(rows * 5 / 8, report.RowsDeleted);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_report_over_lake_and_warehouse_after_pruning_equals_the_report_before()
    {
        var folder = LakeSamples.NewFolder();
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
            await warehouse.MigrateAsync();
            await LakeSamples.FillAsync(warehouse, resources: 12, days: 10);
            var options = new InsightsOptions { Profile = "node", Days = 10, MinHours = 30 };
            var before = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, options, withDaily: true, clock: s_clock);

            await using var store = new FolderObjectStore(folder);
            await LakeSamples.ExportAsync(warehouse, store);
            var pruned = await new HourlyPrune(warehouse.History(), new PartitionPublisher(store)).RunAsync(s_cut);
            Assert.Equal(5, pruned.Days.Count);
            Assert.Equal(new DateTimeOffset(2026, 10, 6, 0, 0, 0, TimeSpan.Zero), (await warehouse.History().GetHourlyRangeAsync())!.First);

            var warehouseOnly = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, options, withDaily: true, clock: s_clock);
            Assert.NotEqual(Json(before), Json(warehouseOnly));
            await using var lake = await LakeQuery.OpenAsync(store);
            var after = await InsightsEngine.RunAsync(warehouse.Reports(new LakeHourlyHistory(lake)), PriceCatalog.BuiltIn, options, withDaily: true, clock: s_clock);
            Assert.Equal(Json(before), Json(after));
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    private static string Json(InsightsReport report) => ReportRenderers.Json(report, ReportView.Rightsizing) + ReportRenderers.Json(report, ReportView.Underused);
}
